/*
 * CCopiaJPEG: a small C shim over libjpeg-turbo for CopiaImage.
 *
 * libjpeg's default error manager prints and calls exit(); this shim installs one whose error_exit longjmps back
 * into the shim, so every failure comes back as a status code and a message. It also treats libjpeg's warnings
 * (emit_message with msg_level -1: "Premature end of JPEG file", "Corrupt JPEG data: ...") as errors, so a
 * truncated or damaged file fails instead of decoding to grey fill.
 *
 * Neither the reader nor the writer is thread-safe; use one per thread. Both reuse their libjpeg object from
 * image to image, which saves libjpeg's per-image setup.
 */
#ifndef CCOPIA_JPEG_H
#define CCOPIA_JPEG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes returned by every fallible function below. */
enum {
    CCOPIA_JPEG_OK = 0,
    /* The input ended before the image did. */
    CCOPIA_JPEG_TRUNCATED = 1,
    /* libjpeg rejected the data or warned about it. */
    CCOPIA_JPEG_CORRUPT = 2,
    /* A valid file this shim does not decode to gray or RGB (CMYK, YCCK, 12-bit samples, ...). */
    CCOPIA_JPEG_UNSUPPORTED = 3,
    /* malloc failed. */
    CCOPIA_JPEG_NO_MEMORY = 4,
    /* Calls out of order or bad arguments: a programming error in the caller. */
    CCOPIA_JPEG_MISUSE = 5,
};

typedef struct ccopia_jpeg_header {
    uint32_t width;
    uint32_t height;
    /* Components in the file (1, 3 or 4) and libjpeg's J_COLOR_SPACE of the file. */
    int32_t file_components;
    int32_t file_color_space;
    int32_t progressive;
    /* Output: 1 (gray) or 3 (RGB) 8-bit channels. */
    int32_t channels;
} ccopia_jpeg_header;

/* ----------------------------------------------------------------------------------------------------------------
 * Reader. Per image: ccopia_jpeg_read_header, then (optionally) ccopia_jpeg_read_pixels. The caller checks size
 * limits between the two, before it allocates pixel memory.
 * -------------------------------------------------------------------------------------------------------------- */
typedef struct ccopia_jpeg_reader ccopia_jpeg_reader;

/* A new reader, or NULL when out of memory. */
ccopia_jpeg_reader *ccopia_jpeg_reader_create(void);
void ccopia_jpeg_reader_destroy(ccopia_jpeg_reader *reader);

/* Reads the markers up to the first scan from data[0..<size] (jpeg_mem_src, jpeg_read_header). data must stay
 * valid until read_pixels returns or the reader is reset. */
int ccopia_jpeg_read_header(ccopia_jpeg_reader *reader, const void *data, size_t size, ccopia_jpeg_header *header);

/* Decodes every scanline into pixels (row y at pixels + y * row_stride, at least width * channels bytes) and
 * finishes the image. Resets the reader for the next image, whatever the outcome. */
int ccopia_jpeg_read_pixels(ccopia_jpeg_reader *reader, void *pixels, size_t row_stride);

/* Checks the image's data without making pixels: every scan entropy-decoded through EOI, libjpeg's warnings as
 * errors, as read_pixels does. Resets the reader for the next image, whatever the outcome. */
int ccopia_jpeg_check_data(ccopia_jpeg_reader *reader);

/* Abandons the current image (after read_header without read_pixels). */
void ccopia_jpeg_reader_reset(ccopia_jpeg_reader *reader);

/* The message of the last failure, never NULL: libjpeg's text prefixed "libjpeg-turbo: ", or the shim's own. */
const char *ccopia_jpeg_reader_message(const ccopia_jpeg_reader *reader);

/* ----------------------------------------------------------------------------------------------------------------
 * Writer (jpeg_mem_dest into a buffer the writer keeps and reuses).
 * -------------------------------------------------------------------------------------------------------------- */
typedef struct ccopia_jpeg_writer ccopia_jpeg_writer;

/* A new writer, or NULL when out of memory. */
ccopia_jpeg_writer *ccopia_jpeg_writer_create(void);
void ccopia_jpeg_writer_destroy(ccopia_jpeg_writer *writer);

/* Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels, row y at pixels + y * row_stride.
 * quality: 1-100 (libjpeg's jpeg_set_quality scale, baseline tables). chroma 444 or 420 (ignored for gray).
 * optimize: nonzero for optimised Huffman tables (slower, smaller). On success the file is at *out (owned by
 * the writer, valid until the next call) with *out_size bytes. */
int ccopia_jpeg_write(ccopia_jpeg_writer *writer, const void *pixels, uint32_t width, uint32_t height,
                      int channels, size_t row_stride, int quality, int chroma, int optimize,
                      const uint8_t **out, size_t *out_size);

/* The message of the last failure, as for the reader. */
const char *ccopia_jpeg_writer_message(const ccopia_jpeg_writer *writer);

#ifdef __cplusplus
}
#endif

#endif /* CCOPIA_JPEG_H */
