/*
 * A zlib stream (RFC 1950) whose deflate blocks (RFC 1951) use only run matches: a byte repeated at distance 1, the
 * strategy zlib calls Z_RLE and OpenCV's imwrite uses for PNG (level 1, Z_RLE). On filtered scanlines, the runs are
 * what level-1 string matching finds anyway (flat areas become runs of zero after the Sub filter), so the output is
 * about as small while the encoder does no hashing: one pass to tokenise and count, one to write.
 *
 * Each block of up to 65,535 input bytes is written with its own dynamic Huffman codes, or stored when that is
 * smaller, so the stream is never larger than the stored form plus five bytes per block.
 *
 * Code lengths: Huffman's algorithm computed in place on the sorted frequencies (Moffat & Katajainen, "In-place
 * calculation of minimum-redundancy codes", WADS 1995), then limited to 12 bits (7 for the code-length alphabet) by
 * moving leaves down until the Kraft sum is one again. Codes are canonical (RFC 1951 section 3.2.2). The 12-bit limit
 * (deflate allows 15) costs about 0.3% in size and lets literals go out four at a time.
 *
 * Speed: literals are found sixteen bytes at a time (SSE2 compares, where present; the same tokens either way) and
 * written four to a 64-bit flush: 0.5 ms per 224x224 augmented photo, from 0.8-0.9 ms with a token array and one
 * flush check per symbol (clang -O2, thread CPU time).
 */
#include "ccopia_png.h"

#include <libdeflate.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

/* Literal/length codes are limited to 12 bits (deflate allows 15), so four literals and the bits left from the last
 * whole byte fit one 64-bit accumulator: 4 x 12 + 7 = 55. */
enum { LITLEN_LIMIT = 12 };
enum { BLOCK_INPUT = 65535, LITLEN_SYMBOLS = 286, DIST_SYMBOLS = 30, CODELEN_SYMBOLS = 19, END_OF_BLOCK = 256 };

/* RFC 1951 section 3.2.5: lengths 3...258 as symbols 257...285 with extra bits. */
static const uint16_t length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                         31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
/* The order code-length code lengths are sent in (RFC 1951 section 3.2.7). */
static const uint8_t codelen_order[CODELEN_SYMBOLS] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

/* ------------------------------------------------------------------------------------------------------------ */
/* Bits, least significant first. */

typedef struct {
    uint8_t *out;
    size_t pos, capacity;
    uint64_t bits;
    int count;
    int overflow;
} bit_writer;

static inline void put_bits(bit_writer *w, uint32_t value, int n) {
    w->bits |= (uint64_t)value << w->count;
    w->count += n;
    if (w->count >= 32) {
        if (w->pos + 4 <= w->capacity) {
            uint32_t word = (uint32_t)w->bits;
            w->out[w->pos] = (uint8_t)word;
            w->out[w->pos + 1] = (uint8_t)(word >> 8);
            w->out[w->pos + 2] = (uint8_t)(word >> 16);
            w->out[w->pos + 3] = (uint8_t)(word >> 24);
            w->pos += 4;
        } else {
            w->overflow = 1;
        }
        w->bits >>= 32;
        w->count -= 32;
    }
}

/* Writes out every pending bit, padding the last byte with zeros. */
static void align_to_byte(bit_writer *w) {
    while (w->count > 0) {
        if (w->pos < w->capacity) w->out[w->pos++] = (uint8_t)w->bits; else w->overflow = 1;
        w->bits >>= 8;
        w->count = w->count > 8 ? w->count - 8 : 0;
    }
    w->bits = 0;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Huffman code lengths. */

typedef struct {
    uint32_t freq;
    uint16_t symbol;
} weighted;

static int by_frequency(const void *a, const void *b) {
    const weighted *x = (const weighted *)a, *y = (const weighted *)b;
    if (x->freq != y->freq) return x->freq < y->freq ? -1 : 1;
    return x->symbol < y->symbol ? -1 : (x->symbol > y->symbol);
}

/* Sets lengths[s] for the n symbols of freq (0 for unused ones), at most limit bits, at least two symbols coded
 * (an unused one gets a code when only one is used, so every code is complete). */
static void code_lengths(const uint32_t *freq, int n, int limit, uint8_t *lengths) {
    weighted items[LITLEN_SYMBOLS];
    uint32_t a[LITLEN_SYMBOLS];
    int m = 0;
    for (int s = 0; s < n; s++) {
        lengths[s] = 0;
        if (freq[s] > 0) items[m++] = (weighted){freq[s], (uint16_t)s};
    }
    for (int s = 0; m < 2 && s < n; s++) {
        if (freq[s] == 0) items[m++] = (weighted){1, (uint16_t)s};
    }
    qsort(items, (size_t)m, sizeof(weighted), by_frequency);
    for (int i = 0; i < m; i++) a[i] = items[i].freq;

    /* Moffat-Katajainen: phase 1 builds the tree's internal weights and parent pointers in a[]... */
    a[0] += a[1];
    int root = 0, leaf = 2;
    for (int next = 1; next < m - 1; next++) {
        if (leaf >= m || a[root] < a[leaf]) {
            a[next] = a[root];
            a[root++] = (uint32_t)next;
        } else {
            a[next] = a[leaf++];
        }
        if (leaf >= m || (root < next && a[root] < a[leaf])) {
            a[next] += a[root];
            a[root++] = (uint32_t)next;
        } else {
            a[next] += a[leaf++];
        }
    }
    /* ...phase 2 turns parent pointers into internal node depths... */
    a[m - 2] = 0;
    for (int next = m - 3; next >= 0; next--) a[next] = a[a[next]] + 1;
    /* ...phase 3 turns those into leaf depths, deepest first. */
    int available = 1, used = 0, depth = 0;
    root = m - 2;
    int next = m - 1;
    while (available > 0) {
        while (root >= 0 && (int)a[root] == depth) {
            used++;
            root--;
        }
        while (available > used) {
            a[next--] = (uint32_t)depth;
            available--;
        }
        available = 2 * used;
        depth++;
        used = 0;
    }

    /* Limit the depth: clamp, then restore the Kraft sum by moving leaves from the deepest level under a shallower
     * leaf (which becomes an internal node with two leaves one level down). */
    uint32_t count[32] = {0};
    for (int i = 0; i < m; i++) count[a[i] > (uint32_t)limit ? limit : a[i]]++;
    uint32_t total = 0;
    for (int l = 1; l <= limit; l++) total += count[l] << (limit - l);
    while (total > (1u << limit)) {
        count[limit]--;
        for (int l = limit - 1; l > 0; l--) {
            if (count[l] > 0) {
                count[l]--;
                count[l + 1] += 2;
                break;
            }
        }
        total--;
    }
    /* The least frequent symbols (first in items) get the longest codes. */
    int i = 0;
    for (int l = limit; l >= 1; l--) {
        for (uint32_t k = 0; k < count[l]; k++) lengths[items[i++].symbol] = (uint8_t)l;
    }
}

/* Canonical codes (RFC 1951 section 3.2.2), bit-reversed for least-significant-first output. */
static void canonical_codes(const uint8_t *lengths, int n, uint16_t *codes) {
    uint16_t count[16] = {0}, next[16] = {0};
    for (int s = 0; s < n; s++) count[lengths[s]]++;
    count[0] = 0;
    uint16_t code = 0;
    for (int l = 1; l < 16; l++) {
        code = (uint16_t)((code + count[l - 1]) << 1);
        next[l] = code;
    }
    for (int s = 0; s < n; s++) {
        int l = lengths[s];
        if (l == 0) { codes[s] = 0; continue; }
        uint16_t c = next[l]++, reversed = 0;
        for (int b = 0; b < l; b++) reversed = (uint16_t)(reversed << 1 | ((c >> b) & 1));
        codes[s] = reversed;
    }
}

/* ------------------------------------------------------------------------------------------------------------ */
/* One block. */

typedef struct {
    /* The block's runs in input order: position in the low 16 bits, length (3...258) above them. Every other byte
     * is a literal, read again from the input when the block is written. */
    uint32_t runs[BLOCK_INPUT / 3 + 2];
    int run_count;
    uint32_t litlen_freq[LITLEN_SYMBOLS];
    uint32_t dist_freq[DIST_SYMBOLS];
    /* Per run length 3...258: its symbol (257...285) and extra bits. */
    uint16_t length_symbol[259];
    uint8_t length_extra_bits[259];
    uint16_t length_extra_value[259];
} block_state;

/* Finds the block's runs and counts its symbols. A run starts at i when in[i], in[i+1] and in[i+2] all equal
 * in[i-1]; it is as long as the bytes stay equal (at most 258). */
static void tokenise(block_state *b, const uint8_t *in, size_t n) {
    /* Four interleaved literal counts, so a byte repeated nearby does not wait on its own counter's store. */
    uint32_t h[4][256];
    memset(h, 0, sizeof h);
    memset(b->litlen_freq, 0, sizeof b->litlen_freq);
    memset(b->dist_freq, 0, sizeof b->dist_freq);
    int runs = 0;
    size_t i = 0;
    if (n > 0) {
        h[0][in[0]]++;
        i = 1;
    }
    while (i < n) {
#if defined(__SSE2__)
        /* Sixteen bytes at a time while no run starts among them (most of a noisy image). */
        if (i + 18 <= n) {
            __m128i cur = _mm_loadu_si128((const __m128i *)(in + i)), prev = _mm_loadu_si128((const __m128i *)(in + i - 1));
            uint32_t equal = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(cur, prev));
            equal |= (uint32_t)(in[i + 16] == in[i + 15]) << 16 | (uint32_t)(in[i + 17] == in[i + 16]) << 17;
            uint32_t starts = equal & (equal >> 1) & (equal >> 2) & 0xffffu;
            int literals = starts == 0 ? 16 : __builtin_ctz(starts);
            for (int k = 0; k < literals; k++) h[(i + (size_t)k) & 3][in[i + (size_t)k]]++;
            i += (size_t)literals;
            if (literals == 16) continue;
        }
#endif
        if (in[i] == in[i - 1]) {
            size_t max = n - i < 258 ? n - i : 258, r = 1;
            uint8_t v = in[i - 1];
            while (r < max && in[i + r] == v) r++;
            if (r >= 3) {
                b->runs[runs++] = (uint32_t)i | (uint32_t)r << 16;
                b->litlen_freq[b->length_symbol[r]]++;
                i += r;
                continue;
            }
        }
        h[i & 3][in[i]]++;
        i++;
    }
    for (int s = 0; s < 256; s++) b->litlen_freq[s] = h[0][s] + h[1][s] + h[2][s] + h[3][s];
    b->litlen_freq[END_OF_BLOCK] = 1;
    b->dist_freq[0] = (uint32_t)runs;
    b->run_count = runs;
}

/* The code lengths of both alphabets as the run-length-coded sequence of RFC 1951 section 3.2.7: each entry is a
 * symbol (0...18) in the low 5 bits and its extra-bit value above them. Returns the entry count. */
static int encode_lengths(const uint8_t *all, int n, uint16_t *entries, uint32_t *freq) {
    int count = 0;
    for (int i = 0; i < n;) {
        int v = all[i], run = 1;
        while (i + run < n && all[i + run] == v) run++;
        int left = run;
        if (v == 0) {
            while (left >= 11) { int k = left > 138 ? 138 : left; entries[count++] = (uint16_t)(18 | (k - 11) << 5); freq[18]++; left -= k; }
            if (left >= 3) { entries[count++] = (uint16_t)(17 | (left - 3) << 5); freq[17]++; left = 0; }
        } else {
            entries[count++] = (uint16_t)v;
            freq[v]++;
            left--;
            while (left >= 3) { int k = left > 6 ? 6 : left; entries[count++] = (uint16_t)(16 | (k - 3) << 5); freq[16]++; left -= k; }
        }
        while (left-- > 0) { entries[count++] = (uint16_t)v; freq[v]++; }
        i += run;
    }
    return count;
}

/* Writes the literals in[from..<to), four to an accumulator flush: whole bytes go out with one unaligned 8-byte
 * store and the last partial byte's bits stay (the capacity keeps 8 bytes of slack for the store). */
static void write_literals(bit_writer *w, const uint32_t *literal, const uint8_t *in, size_t from, size_t to) {
    size_t i = from;
    /* put_bits flushes at 32 bits; start from at most 7 pending bits. */
    while (w->count > 7 && i < to) {
        put_bits(w, literal[in[i]] & 0xffff, (int)(literal[in[i]] >> 16));
        i++;
    }
    if (w->count <= 7) {
        uint64_t bits = w->bits;
        int count = w->count;
        uint8_t *out = w->out;
        size_t pos = w->pos;
        for (; i + 4 <= to; i += 4) {
            if (pos + 8 > w->capacity) { w->overflow = 1; return; }
            uint32_t x0 = literal[in[i]], x1 = literal[in[i + 1]], x2 = literal[in[i + 2]], x3 = literal[in[i + 3]];
            bits |= (uint64_t)(x0 & 0xffff) << count; count += (int)(x0 >> 16);
            bits |= (uint64_t)(x1 & 0xffff) << count; count += (int)(x1 >> 16);
            bits |= (uint64_t)(x2 & 0xffff) << count; count += (int)(x2 >> 16);
            bits |= (uint64_t)(x3 & 0xffff) << count; count += (int)(x3 >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            memcpy(out + pos, &bits, 8);
#else
            for (int k = 0; k < 8; k++) out[pos + (size_t)k] = (uint8_t)(bits >> (8 * k));
#endif
            int whole = count >> 3;
            pos += (size_t)whole;
            bits >>= 8 * whole;
            count &= 7;
        }
        w->bits = bits;
        w->count = count;
        w->pos = pos;
    }
    for (; i < to; i++) put_bits(w, literal[in[i]] & 0xffff, (int)(literal[in[i]] >> 16));
}

static void write_block(bit_writer *w, block_state *b, const uint8_t *in, size_t n, int final) {
    uint8_t litlen_len[LITLEN_SYMBOLS], dist_len[DIST_SYMBOLS];
    uint16_t litlen_code[LITLEN_SYMBOLS], dist_code[DIST_SYMBOLS];
    code_lengths(b->litlen_freq, LITLEN_SYMBOLS, LITLEN_LIMIT, litlen_len);
    /* Distance 1 is the only distance; codes 0 and 1 both get one bit, so the distance code is always complete. */
    memset(dist_len, 0, sizeof dist_len);
    dist_len[0] = dist_len[1] = 1;
    canonical_codes(litlen_len, LITLEN_SYMBOLS, litlen_code);
    canonical_codes(dist_len, DIST_SYMBOLS, dist_code);

    int hlit = LITLEN_SYMBOLS;
    while (hlit > 257 && litlen_len[hlit - 1] == 0) hlit--;
    int hdist = 2;
    uint8_t all[LITLEN_SYMBOLS + DIST_SYMBOLS];
    memcpy(all, litlen_len, (size_t)hlit);
    memcpy(all + hlit, dist_len, (size_t)hdist);
    uint16_t entries[LITLEN_SYMBOLS + DIST_SYMBOLS];
    uint32_t codelen_freq[CODELEN_SYMBOLS] = {0};
    int entry_count = encode_lengths(all, hlit + hdist, entries, codelen_freq);
    uint8_t codelen_len[CODELEN_SYMBOLS];
    uint16_t codelen_code[CODELEN_SYMBOLS];
    code_lengths(codelen_freq, CODELEN_SYMBOLS, 7, codelen_len);
    canonical_codes(codelen_len, CODELEN_SYMBOLS, codelen_code);
    int hclen = CODELEN_SYMBOLS;
    while (hclen > 4 && codelen_len[codelen_order[hclen - 1]] == 0) hclen--;

    /* Exact size of the dynamic block, to compare with storing the bytes. */
    static const uint8_t entry_extra[CODELEN_SYMBOLS] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7};
    uint64_t dynamic_bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)hclen;
    for (int s = 0; s < CODELEN_SYMBOLS; s++) dynamic_bits += (uint64_t)codelen_freq[s] * (codelen_len[s] + entry_extra[s]);
    for (int s = 0; s < LITLEN_SYMBOLS; s++) dynamic_bits += (uint64_t)b->litlen_freq[s] * litlen_len[s];
    for (int s = 257; s < LITLEN_SYMBOLS; s++) dynamic_bits += (uint64_t)b->litlen_freq[s] * length_extra[s - 257];
    dynamic_bits += (uint64_t)b->dist_freq[0] * dist_len[0];
    uint64_t stored_bits = 3 + 7 + 32 + 8 * (uint64_t)n;

    if (stored_bits <= dynamic_bits) {
        put_bits(w, (uint32_t)final, 1);
        put_bits(w, 0, 2);
        align_to_byte(w);
        if (w->pos + 4 + n > w->capacity) { w->overflow = 1; return; }
        uint8_t *p = w->out + w->pos;
        p[0] = (uint8_t)n; p[1] = (uint8_t)(n >> 8); p[2] = (uint8_t)~n; p[3] = (uint8_t)(~n >> 8);
        memcpy(p + 4, in, n);
        w->pos += 4 + n;
        return;
    }

    put_bits(w, (uint32_t)final, 1);
    put_bits(w, 2, 2);
    put_bits(w, (uint32_t)(hlit - 257), 5);
    put_bits(w, (uint32_t)(hdist - 1), 5);
    put_bits(w, (uint32_t)(hclen - 4), 4);
    for (int i = 0; i < hclen; i++) put_bits(w, codelen_len[codelen_order[i]], 3);
    for (int i = 0; i < entry_count; i++) {
        int s = entries[i] & 31;
        put_bits(w, codelen_code[s], codelen_len[s]);
        if (entry_extra[s]) put_bits(w, entries[i] >> 5, entry_extra[s]);
    }
    /* Literal codes with their lengths in one word. */
    uint32_t literal[256];
    for (int s = 0; s < 256; s++) literal[s] = litlen_code[s] | (uint32_t)litlen_len[s] << 16;
    size_t i = 0;
    for (int r = 0; r <= b->run_count; r++) {
        size_t end = r < b->run_count ? (b->runs[r] & 0xffff) : n;
        write_literals(w, literal, in, i, end);
        i = end;
        if (r == b->run_count) break;
        int length = (int)(b->runs[r] >> 16), s = b->length_symbol[length];
        put_bits(w, litlen_code[s], litlen_len[s]);
        if (b->length_extra_bits[length]) put_bits(w, b->length_extra_value[length], b->length_extra_bits[length]);
        put_bits(w, dist_code[0], dist_len[0]);
        i += (size_t)length;
    }
    put_bits(w, litlen_code[END_OF_BLOCK], litlen_len[END_OF_BLOCK]);
}

size_t ccopia_zlib_compress_rle_bound(size_t n) {
    return 2 + 4 + n + 5 * (n / BLOCK_INPUT + 1) + 16;
}

size_t ccopia_zlib_compress_rle(const uint8_t *in, size_t n, uint8_t *out, size_t capacity) {
    block_state *b = (block_state *)malloc(sizeof(block_state));
    if (b == NULL) return 0;
    for (int s = 0; s < 29; s++) {
        int end = s + 1 < 29 ? length_base[s + 1] : 259;
        if (s == 27) end = 258; /* 227...257 use symbol 284; 258 has a symbol of its own */
        for (int l = length_base[s]; l < end && l <= 258; l++) {
            b->length_symbol[l] = (uint16_t)(257 + s);
            b->length_extra_bits[l] = length_extra[s];
            b->length_extra_value[l] = (uint16_t)(l - length_base[s]);
        }
    }
    bit_writer w = {out, 0, capacity, 0, 0, 0};
    if (capacity < 2) { free(b); return 0; }
    /* CMF: deflate with a 32 KiB window; FLG: fastest level, no dictionary, check bits making CMF*256+FLG % 31 == 0. */
    out[0] = 0x78;
    out[1] = 0x01;
    w.pos = 2;
    size_t at = 0;
    do {
        size_t size = n - at < BLOCK_INPUT ? n - at : BLOCK_INPUT;
        tokenise(b, in + at, size);
        write_block(&w, b, in + at, size, at + size == n);
        at += size;
    } while (at < n && !w.overflow);
    align_to_byte(&w);
    free(b);
    uint32_t adler = libdeflate_adler32(1, in, n);
    if (w.overflow || w.pos + 4 > capacity) return 0;
    out[w.pos] = (uint8_t)(adler >> 24);
    out[w.pos + 1] = (uint8_t)(adler >> 16);
    out[w.pos + 2] = (uint8_t)(adler >> 8);
    out[w.pos + 3] = (uint8_t)adler;
    return w.pos + 4;
}
