/*
 * CCopiaPNG: a small C shim over libpng (decoding) and libdeflate (encoding) for CopiaImage.
 *
 * libpng reports errors by calling an error function that must not return; the shim owns the setjmp/longjmp pair,
 * so every libpng error (corrupt data, bad CRC, truncated input) comes back as a status code and a message, and
 * the process never aborts. Nothing here touches Swift objects or the file system: input is a memory buffer.
 *
 * Neither the reader nor the writer is thread-safe; use one per thread.
 */
#ifndef CCOPIA_PNG_H
#define CCOPIA_PNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes returned by every fallible function below. */
enum {
    CCOPIA_PNG_OK = 0,
    /* The input ended before the image did. */
    CCOPIA_PNG_TRUNCATED = 1,
    /* libpng rejected the data (bad signature, bad CRC, bad zlib stream, invalid IHDR, ...). */
    CCOPIA_PNG_CORRUPT = 2,
    /* A valid file this shim does not handle. */
    CCOPIA_PNG_UNSUPPORTED = 3,
    /* malloc failed. */
    CCOPIA_PNG_NO_MEMORY = 4,
    /* Calls out of order (pixels before header) or bad arguments: a programming error in the caller. */
    CCOPIA_PNG_MISUSE = 5,
};

/* What the header says, and what read_pixels will produce after the shim's transformations. */
typedef struct ccopia_png_header {
    uint32_t width;
    uint32_t height;
    /* The file's own bit depth (1, 2, 4, 8 or 16) and PNG colour type (0, 2, 3, 4 or 6). */
    int32_t file_bit_depth;
    int32_t file_color_type;
    int32_t interlaced;
    /* Output: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; 8 or 16 bits per sample (16-bit samples in native byte order). */
    int32_t channels;
    int32_t bit_depth;
} ccopia_png_header;

/* ----------------------------------------------------------------------------------------------------------------
 * Reader. Per image: ccopia_png_read_header, then (optionally) ccopia_png_read_pixels. The caller checks size
 * limits between the two, before it allocates pixel memory. Reading a new header discards the previous image.
 * -------------------------------------------------------------------------------------------------------------- */
typedef struct ccopia_png_reader ccopia_png_reader;

/* A new reader, or NULL when out of memory. */
ccopia_png_reader *ccopia_png_reader_create(void);
void ccopia_png_reader_destroy(ccopia_png_reader *reader);

/* Reads the signature and every chunk up to the first IDAT from data[0..<size], which must stay valid until
 * read_pixels returns or the reader is reset. Expands palette, low-bit gray and tRNS so the output is 1-4
 * channels of 8 or 16 bits. */
int ccopia_png_read_header(ccopia_png_reader *reader, const void *data, size_t size, ccopia_png_header *header);

/* Decodes every row (all Adam7 passes for interlaced files) into pixels, row y at pixels + y * row_stride,
 * then reads the rest of the file through IEND, checking CRCs. row_stride must be at least
 * width * channels * bit_depth / 8. Releases libpng's memory for the image, whatever the outcome. */
int ccopia_png_read_pixels(ccopia_png_reader *reader, void *pixels, size_t row_stride);

/* Releases libpng's memory for the current image (after read_header without read_pixels). */
void ccopia_png_reader_reset(ccopia_png_reader *reader);

/* The message of the last failure, never NULL: libpng's text prefixed "libpng: ", or the shim's own. */
const char *ccopia_png_reader_message(const ccopia_png_reader *reader);

/* ----------------------------------------------------------------------------------------------------------------
 * Writer: frames PNG chunks itself (signature, IHDR, IDAT, IEND) around a zlib stream made by libdeflate.
 * The compressor and the scratch buffers live in the writer and are reused from image to image.
 * -------------------------------------------------------------------------------------------------------------- */
typedef struct ccopia_png_writer ccopia_png_writer;

/* Scanline filter choices. The first five equal the PNG filter type bytes; ADAPTIVE picks one per row. */
enum {
    CCOPIA_PNG_FILTER_NONE = 0,
    CCOPIA_PNG_FILTER_SUB = 1,
    CCOPIA_PNG_FILTER_UP = 2,
    CCOPIA_PNG_FILTER_AVERAGE = 3,
    CCOPIA_PNG_FILTER_PAETH = 4,
    CCOPIA_PNG_FILTER_ADAPTIVE = 5,
};

/* A new writer at a level (0-12) with a filter choice, or NULL when out of memory or out of range. Level 1 is
 * OpenCV's imwrite preset, run matches only (ccopia_zlib_compress_rle); the other levels are libdeflate's. */
ccopia_png_writer *ccopia_png_writer_create(int level, int filter);
void ccopia_png_writer_destroy(ccopia_png_writer *writer);

/* Encodes width x height pixels of channels (1-4) samples of bit_depth (8: uint8_t, 16: native-endian uint16_t),
 * row y at pixels + y * row_stride bytes. On success the PNG file is at *out (owned by the writer, valid until
 * the next call) with *out_size bytes. */
int ccopia_png_write(ccopia_png_writer *writer, const void *pixels, uint32_t width, uint32_t height,
                     int channels, int bit_depth, size_t row_stride, const uint8_t **out, size_t *out_size);

const char *ccopia_png_writer_message(const ccopia_png_writer *writer);

/* A zlib stream of in[0..n) whose deflate blocks use only runs (a byte repeated at distance 1, zlib's Z_RLE
 * strategy) and per-block dynamic Huffman codes, or stored blocks when smaller. Returns the stream's size, or 0 when
 * capacity (at least ccopia_zlib_compress_rle_bound(n)) is too small or memory runs out. Deterministic. */
size_t ccopia_zlib_compress_rle(const uint8_t *in, size_t n, uint8_t *out, size_t capacity);
size_t ccopia_zlib_compress_rle_bound(size_t n);

/* For tests: makes ccopia_zlib_compress_rle take its fastest path (0), the one without BMI2 (1) or the portable C with
 * no SIMD (2), for every thread, until called again. Every path writes the same bytes. */
void ccopia_zlib_rle_force_path(int path);

#ifdef __cplusplus
}
#endif

#endif /* CCOPIA_PNG_H */
