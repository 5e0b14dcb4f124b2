/*
 * CCopiaPNG: PNG decoding through libpng's full API, and PNG encoding with libdeflate (level 1: deflate_rle.c).
 *
 * References: PNG Specification (Third Edition), W3C, sections 5 (datastream structure), 7.3 (filtering),
 * 9 (filter algorithms: None, Sub, Up, Average, Paeth) and 11.2 (IHDR); libpng 1.6 manual (libpng-manual.txt),
 * sections "Setting up error handling", "Input transformations" and "Reading image data".
 */
#include "ccopia_png.h"

#include <libdeflate.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CCOPIA_MESSAGE_MAX 256

static void set_message(char *dst, const char *src) {
    snprintf(dst, CCOPIA_MESSAGE_MAX, "%s", (src != NULL && src[0] != '\0') ? src : "unknown error");
}

static int host_is_little_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

/* ================================================================================================================
 * Reader
 * ============================================================================================================== */

struct ccopia_png_reader {
    png_structp png;
    png_infop info;
    /* Where reader_error jumps back to: set by whichever shim function is calling into libpng. */
    jmp_buf jump;
    const uint8_t *data;
    size_t size;
    size_t position;
    /* Set when libpng asked for bytes past the end of the input, so the failure is reported as truncation. */
    int hit_end;
    /* 1 between a successful read_header and the matching read_pixels or reset. */
    int has_header;
    ccopia_png_header header;
    char message[CCOPIA_MESSAGE_MAX];
};

/* libpng's error callback must not return (libpng manual, "Setting up error handling"): record and jump. */
static void reader_error(png_structp png, png_const_charp text) {
    ccopia_png_reader *reader = (ccopia_png_reader *)png_get_error_ptr(png);
    snprintf(reader->message, CCOPIA_MESSAGE_MAX, "libpng: %s", (text != NULL && text[0] != '\0') ? text : "unknown error");
    longjmp(reader->jump, 1);
}

/* Warnings (benign problems libpng recovers from, such as a bad ancillary-chunk CRC) do not stop decoding. */
static void reader_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void reader_read(png_structp png, png_bytep out, size_t length) {
    ccopia_png_reader *reader = (ccopia_png_reader *)png_get_io_ptr(png);
    size_t left = reader->size - reader->position;
    if (length > left) {
        reader->hit_end = 1;
        png_error(png, "unexpected end of data");
    }
    memcpy(out, reader->data + reader->position, length);
    reader->position += length;
}

static int reader_failure_status(const ccopia_png_reader *reader) {
    if (reader->hit_end) return CCOPIA_PNG_TRUNCATED;
    if (strstr(reader->message, "ut of memory") != NULL) return CCOPIA_PNG_NO_MEMORY;
    return CCOPIA_PNG_CORRUPT;
}

ccopia_png_reader *ccopia_png_reader_create(void) {
    ccopia_png_reader *reader = (ccopia_png_reader *)calloc(1, sizeof(ccopia_png_reader));
    if (reader != NULL) set_message(reader->message, "no error");
    return reader;
}

void ccopia_png_reader_reset(ccopia_png_reader *reader) {
    if (reader == NULL) return;
    if (reader->png != NULL) {
        png_destroy_read_struct(&reader->png, reader->info != NULL ? &reader->info : NULL, NULL);
    }
    reader->png = NULL;
    reader->info = NULL;
    reader->has_header = 0;
    reader->data = NULL;
    reader->size = 0;
    reader->position = 0;
}

void ccopia_png_reader_destroy(ccopia_png_reader *reader) {
    if (reader == NULL) return;
    ccopia_png_reader_reset(reader);
    free(reader);
}

const char *ccopia_png_reader_message(const ccopia_png_reader *reader) {
    return reader != NULL ? reader->message : "no reader";
}

int ccopia_png_read_header(ccopia_png_reader *reader, const void *data, size_t size, ccopia_png_header *header) {
    if (reader == NULL || header == NULL || (data == NULL && size > 0)) return CCOPIA_PNG_MISUSE;
    ccopia_png_reader_reset(reader);
    reader->data = (const uint8_t *)data;
    reader->size = size;
    reader->position = 0;
    reader->hit_end = 0;
    set_message(reader->message, "no error");

    /* Before creating the structs, so an error raised during creation has somewhere to land. */
    if (setjmp(reader->jump) != 0) {
        int status = reader_failure_status(reader);
        ccopia_png_reader_reset(reader);
        return status;
    }
    reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, reader_error, reader_warning);
    if (reader->png == NULL) {
        set_message(reader->message, "out of memory creating the libpng read struct");
        return CCOPIA_PNG_NO_MEMORY;
    }
    reader->info = png_create_info_struct(reader->png);
    if (reader->info == NULL) {
        set_message(reader->message, "out of memory creating the libpng info struct");
        ccopia_png_reader_reset(reader);
        return CCOPIA_PNG_NO_MEMORY;
    }
    png_set_read_fn(reader->png, reader, reader_read);
    /* libpng refuses widths and heights over 1,000,000 by default; Copia's own DecodeLimits decide instead,
     * on the pixel count, so a sane 1,200,000 x 10 strip is not refused. 0x7fffffff is the PNG maximum. */
    png_set_user_limits(reader->png, 0x7fffffff, 0x7fffffff);
    png_read_info(reader->png, reader->info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(reader->png, reader->info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    int has_trns = png_get_valid(reader->png, reader->info, PNG_INFO_tRNS) != 0;

    /* The output layout, computed here rather than by png_read_update_info, which allocates row buffers and
     * must not run before the caller has checked the size against its limits. */
    int channels;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: channels = 1 + has_trns; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
    case PNG_COLOR_TYPE_RGB: channels = 3 + has_trns; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: channels = 4; break;
    case PNG_COLOR_TYPE_PALETTE: channels = 3 + has_trns; break;
    default:
        set_message(reader->message, "unknown PNG colour type");
        ccopia_png_reader_reset(reader);
        return CCOPIA_PNG_CORRUPT;
    }

    memset(&reader->header, 0, sizeof reader->header);
    reader->header.width = width;
    reader->header.height = height;
    reader->header.file_bit_depth = bit_depth;
    reader->header.file_color_type = color_type;
    reader->header.interlaced = interlace != PNG_INTERLACE_NONE;
    reader->header.channels = channels;
    reader->header.bit_depth = bit_depth == 16 ? 16 : 8;
    reader->has_header = 1;
    *header = reader->header;
    return CCOPIA_PNG_OK;
}

int ccopia_png_read_pixels(ccopia_png_reader *reader, void *pixels, size_t row_stride) {
    if (reader == NULL || !reader->has_header || reader->png == NULL) {
        if (reader != NULL) set_message(reader->message, "read_pixels called without a header");
        return CCOPIA_PNG_MISUSE;
    }
    const ccopia_png_header header = reader->header;
    size_t min_stride = (size_t)header.width * (size_t)header.channels * (size_t)(header.bit_depth / 8);
    if ((pixels == NULL && header.height > 0) || row_stride < min_stride) {
        set_message(reader->message, "pixel buffer too small");
        ccopia_png_reader_reset(reader);
        return CCOPIA_PNG_MISUSE;
    }
    if (setjmp(reader->jump) != 0) {
        int status = reader_failure_status(reader);
        ccopia_png_reader_reset(reader);
        return status;
    }
    png_structp png = reader->png;
    png_infop info = reader->info;

    /* Input transformations (libpng manual): everything becomes 8- or 16-bit gray, gray+alpha, RGB or RGBA with
     * the exact sample values of the file. No gamma or colour-space conversion, so 16-bit values are not turned
     * into linear light as the simplified API would. */
    if (header.file_color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (header.file_color_type == PNG_COLOR_TYPE_GRAY && header.file_bit_depth < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    if (png_get_valid(png, info, PNG_INFO_tRNS) != 0) png_set_tRNS_to_alpha(png);
    if (header.file_bit_depth == 16 && host_is_little_endian()) png_set_swap(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);

    if ((int)png_get_channels(png, info) != header.channels || (int)png_get_bit_depth(png, info) != header.bit_depth
        || png_get_rowbytes(png, info) > row_stride) {
        set_message(reader->message, "libpng's output layout differs from the header's");
        ccopia_png_reader_reset(reader);
        return CCOPIA_PNG_UNSUPPORTED;
    }

    /* For interlaced files, each of the 7 Adam7 passes visits every row and libpng writes that pass's pixels into
     * the row in place ("sparkle" combining), as png_read_image does, but without a row-pointer array. */
    uint8_t *base = (uint8_t *)pixels;
    for (int pass = 0; pass < passes; pass++) {
        for (png_uint_32 y = 0; y < header.height; y++) {
            png_read_row(png, base + (size_t)y * row_stride, NULL);
        }
    }
    /* Reads the chunks after the image data through IEND, so a file cut after its last IDAT is still caught. */
    png_read_end(png, NULL);
    ccopia_png_reader_reset(reader);
    return CCOPIA_PNG_OK;
}

/* ================================================================================================================
 * Writer
 * ============================================================================================================== */

struct ccopia_png_writer {
    /* libdeflate's compressor for levels other than 1; level 1 is run matches only (deflate_rle.c). */
    struct libdeflate_compressor *compressor;
    int level;
    int filter;
    /* Filtered scanlines, each a filter-type byte then the row: the input of the zlib stream. */
    uint8_t *filtered;
    size_t filtered_capacity;
    /* Row scratch: a zero row (the "previous row" of the first row), two big-endian rows for 16-bit input,
     * and candidate rows for the adaptive filter. */
    uint8_t *rows;
    size_t rows_capacity;
    uint8_t *out;
    size_t out_capacity;
    char message[CCOPIA_MESSAGE_MAX];
};

ccopia_png_writer *ccopia_png_writer_create(int level, int filter) {
    if (level < 0 || level > 12 || filter < CCOPIA_PNG_FILTER_NONE || filter > CCOPIA_PNG_FILTER_ADAPTIVE) {
        return NULL;
    }
    ccopia_png_writer *writer = (ccopia_png_writer *)calloc(1, sizeof(ccopia_png_writer));
    if (writer == NULL) return NULL;
    if (level != 1) {
        writer->compressor = libdeflate_alloc_compressor(level);
        if (writer->compressor == NULL) {
            free(writer);
            return NULL;
        }
    }
    writer->level = level;
    writer->filter = filter;
    set_message(writer->message, "no error");
    return writer;
}

void ccopia_png_writer_destroy(ccopia_png_writer *writer) {
    if (writer == NULL) return;
    if (writer->compressor != NULL) libdeflate_free_compressor(writer->compressor);
    free(writer->filtered);
    free(writer->rows);
    free(writer->out);
    free(writer);
}

const char *ccopia_png_writer_message(const ccopia_png_writer *writer) {
    return writer != NULL ? writer->message : "no writer";
}

/* Grows *buffer to at least needed bytes, keeping it when it is already large enough. */
static int reserve(uint8_t **buffer, size_t *capacity, size_t needed) {
    if (*capacity >= needed && *buffer != NULL) return 1;
    size_t grown = *capacity + *capacity / 2;
    size_t size = needed > grown ? needed : grown;
    uint8_t *fresh = (uint8_t *)realloc(*buffer, size > 0 ? size : 1);
    if (fresh == NULL) return 0;
    *buffer = fresh;
    *capacity = size;
    return 1;
}

/* Filter algorithms of PNG spec section 9.2, on n bytes with bpp bytes per complete pixel. prev is the previous
 * row's unfiltered bytes (a zero row for the first row). Arithmetic is modulo 256 (uint8_t wrap-around). */
static void filter_none(uint8_t *dst, const uint8_t *cur, const uint8_t *prev, size_t n, size_t bpp) {
    (void)prev;
    (void)bpp;
    memcpy(dst, cur, n);
}

static void filter_sub(uint8_t *dst, const uint8_t *cur, const uint8_t *prev, size_t n, size_t bpp) {
    (void)prev;
    size_t head = bpp < n ? bpp : n;
    for (size_t i = 0; i < head; i++) dst[i] = cur[i];
    for (size_t i = bpp; i < n; i++) dst[i] = (uint8_t)(cur[i] - cur[i - bpp]);
}

static void filter_up(uint8_t *dst, const uint8_t *cur, const uint8_t *prev, size_t n, size_t bpp) {
    (void)bpp;
    for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)(cur[i] - prev[i]);
}

static void filter_average(uint8_t *dst, const uint8_t *cur, const uint8_t *prev, size_t n, size_t bpp) {
    size_t head = bpp < n ? bpp : n;
    for (size_t i = 0; i < head; i++) dst[i] = (uint8_t)(cur[i] - (prev[i] >> 1));
    for (size_t i = bpp; i < n; i++) dst[i] = (uint8_t)(cur[i] - (uint8_t)(((unsigned)cur[i - bpp] + prev[i]) >> 1));
}

/* Paeth predictor (PNG spec 9.4): the neighbour among left, above and upper-left closest to left + above - upper-left,
 * ties broken in that order. */
static inline uint8_t paeth_predictor(int a, int b, int c) {
    int p = a + b - c;
    int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    if (pa <= pb && pa <= pc) return (uint8_t)a;
    if (pb <= pc) return (uint8_t)b;
    return (uint8_t)c;
}

static void filter_paeth(uint8_t *dst, const uint8_t *cur, const uint8_t *prev, size_t n, size_t bpp) {
    size_t head = bpp < n ? bpp : n;
    for (size_t i = 0; i < head; i++) dst[i] = (uint8_t)(cur[i] - prev[i]);
    for (size_t i = bpp; i < n; i++) {
        dst[i] = (uint8_t)(cur[i] - paeth_predictor(cur[i - bpp], prev[i], prev[i - bpp]));
    }
}

typedef void (*filter_fn)(uint8_t *, const uint8_t *, const uint8_t *, size_t, size_t);
static const filter_fn filters[5] = {filter_none, filter_sub, filter_up, filter_average, filter_paeth};

/* The heuristic the PNG spec (section 12.8) suggests for choosing a filter per row: the smallest sum of the
 * filtered bytes taken as signed values' magnitudes. */
static uint64_t filtered_cost(const uint8_t *row, size_t n) {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = (int)(int8_t)row[i];
        sum += (uint64_t)(v < 0 ? -v : v);
    }
    return sum;
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Writes a chunk's length and type at p; the caller has put the data after them. Returns the bytes written,
 * CRC included. The CRC covers the type and the data (PNG spec 5.3). */
static size_t frame_chunk(uint8_t *p, const char type[4], size_t length) {
    put_be32(p, (uint32_t)length);
    memcpy(p + 4, type, 4);
    uint32_t crc = libdeflate_crc32(0, p + 4, 4 + length);
    put_be32(p + 8 + length, crc);
    return 12 + length;
}

int ccopia_png_write(ccopia_png_writer *writer, const void *pixels, uint32_t width, uint32_t height, int channels,
                     int bit_depth, size_t row_stride, const uint8_t **out, size_t *out_size) {
    if (writer == NULL || out == NULL || out_size == NULL) return CCOPIA_PNG_MISUSE;
    *out = NULL;
    *out_size = 0;
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) {
        set_message(writer->message, "PNG encoding needs 1-4 channels of 8 or 16 bits");
        return CCOPIA_PNG_MISUSE;
    }
    if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu) {
        set_message(writer->message, "PNG image width and height must be 1...2147483647");
        return CCOPIA_PNG_UNSUPPORTED;
    }
    size_t bpp = (size_t)channels * (size_t)(bit_depth / 8);
    size_t row_bytes = (size_t)width * bpp;
    if (pixels == NULL || row_stride < row_bytes) {
        set_message(writer->message, "pixel buffer too small");
        return CCOPIA_PNG_MISUSE;
    }
    if ((SIZE_MAX / 2) / (row_bytes + 1) < (size_t)height) {
        set_message(writer->message, "image too large to encode");
        return CCOPIA_PNG_UNSUPPORTED;
    }
    size_t filtered_size = (row_bytes + 1) * (size_t)height;
    /* rows: zero row, two big-endian rows, five candidates. */
    if (!reserve(&writer->filtered, &writer->filtered_capacity, filtered_size)
        || !reserve(&writer->rows, &writer->rows_capacity, row_bytes * 8)) {
        set_message(writer->message, "out of memory");
        return CCOPIA_PNG_NO_MEMORY;
    }
    uint8_t *zero_row = writer->rows;
    uint8_t *be_rows[2] = {writer->rows + row_bytes, writer->rows + 2 * row_bytes};
    uint8_t *candidates = writer->rows + 3 * row_bytes;
    memset(zero_row, 0, row_bytes);

    const uint8_t *src = (const uint8_t *)pixels;
    const uint8_t *prev = zero_row;
    int swap = bit_depth == 16 && host_is_little_endian();
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *cur = src + (size_t)y * row_stride;
        if (bit_depth == 16) {
            /* PNG stores 16-bit samples big-endian (PNG spec 7.1); filters work on those bytes. */
            uint8_t *be = be_rows[y & 1];
            if (swap) {
                for (size_t i = 0; i < row_bytes; i += 2) {
                    be[i] = cur[i + 1];
                    be[i + 1] = cur[i];
                }
            } else {
                memcpy(be, cur, row_bytes);
            }
            cur = be;
        }
        uint8_t *line = writer->filtered + (size_t)y * (row_bytes + 1);
        int type = writer->filter;
        if (type == CCOPIA_PNG_FILTER_ADAPTIVE) {
            uint64_t best_cost = UINT64_MAX;
            int best = 0;
            for (int f = 0; f < 5; f++) {
                uint8_t *candidate = candidates + (size_t)f * row_bytes;
                filters[f](candidate, cur, prev, row_bytes, bpp);
                uint64_t cost = filtered_cost(candidate, row_bytes);
                if (cost < best_cost) {
                    best_cost = cost;
                    best = f;
                }
            }
            line[0] = (uint8_t)best;
            memcpy(line + 1, candidates + (size_t)best * row_bytes, row_bytes);
        } else {
            line[0] = (uint8_t)type;
            filters[type](line + 1, cur, prev, row_bytes, bpp);
        }
        prev = cur;
    }

    size_t bound = writer->level == 1 ? ccopia_zlib_compress_rle_bound(filtered_size)
                                      : libdeflate_zlib_compress_bound(writer->compressor, filtered_size);
    size_t header_size = 8 + 12 + 13;
    size_t total_bound = header_size + 12 + bound + 12;
    if (!reserve(&writer->out, &writer->out_capacity, total_bound)) {
        set_message(writer->message, "out of memory");
        return CCOPIA_PNG_NO_MEMORY;
    }
    uint8_t *p = writer->out;
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    memcpy(p, signature, 8);
    size_t at = 8;

    /* IHDR (PNG spec 11.2.2): colour type 0 gray, 4 gray+alpha, 2 RGB, 6 RGBA; deflate, adaptive filtering
     * method 0, no interlace. */
    static const uint8_t color_types[5] = {0, 0, 4, 2, 6};
    uint8_t *ihdr = p + at + 8;
    put_be32(ihdr, width);
    put_be32(ihdr + 4, height);
    ihdr[8] = (uint8_t)bit_depth;
    ihdr[9] = color_types[channels];
    ihdr[10] = 0;
    ihdr[11] = 0;
    ihdr[12] = 0;
    at += frame_chunk(p + at, "IHDR", 13);

    size_t compressed = writer->level == 1
        ? ccopia_zlib_compress_rle(writer->filtered, filtered_size, p + at + 8, bound)
        : libdeflate_zlib_compress(writer->compressor, writer->filtered, filtered_size, p + at + 8, bound);
    if (compressed == 0) {
        set_message(writer->message, "could not compress the image data");
        return CCOPIA_PNG_UNSUPPORTED;
    }
    if (compressed > 0x7fffffffu) {
        set_message(writer->message, "compressed image data exceeds one PNG chunk (2^31-1 bytes)");
        return CCOPIA_PNG_UNSUPPORTED;
    }
    at += frame_chunk(p + at, "IDAT", compressed);
    at += frame_chunk(p + at, "IEND", 0);

    *out = p;
    *out_size = at;
    return CCOPIA_PNG_OK;
}
