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
 * Speed, per 64 KiB block: every byte is counted first (eight 16-bit tables, eight bytes per load, and eight bytes
 * equal to the last eight only bump a repeat count, so flat areas cost next to nothing); then runs are
 * found by comparing 32 bytes with their left neighbours at a time (SSE2, present on every x86-64) and each run's
 * bytes are taken back off its value's count. Literals are written four to an unaligned 8-byte store, their codes
 * joined pairwise before the join with the accumulator, and a run's length code, extra bits and distance code go out
 * as one precomputed word with the up to three literals before it, so no symbol is written by a per-bit routine
 * and no write checks the capacity (the block's exact size is known before it is written). Huffman items are sorted
 * with a two-pass radix sort instead of qsort. The literal writer is compiled twice, for BMI2 (single-instruction
 * variable shifts, picked at run time) and for the baseline; ccopia_zlib_rle_force_path lets tests run every path
 * and compare bytes. 0.28-0.40 ms per 224x224 augmented photo (~150 KB of Sub-filtered rows; clang -O2, thread CPU
 * time, median and best of 31 passes over 300 images), from 0.50-0.70 ms for the previous design (a literal scan
 * sixteen bytes at a time with per-byte counting, per-run put_bits calls, qsort), which measured 1.7-1.9x slower
 * in the same alternating runs; all-zero input 0.5 ns per byte, from 1.0.
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

/* Sorts items by frequency, keeping the order of equal ones: an LSD radix sort, a byte of the frequency per pass,
 * only as many passes as the largest frequency needs (two for a 64 KiB block, one for the code-length alphabet).
 * Far cheaper than qsort's comparison calls on at most 286 items. */
static void sort_by_frequency(weighted *items, int m) {
    weighted spare[LITLEN_SYMBOLS];
    uint32_t largest = 0;
    for (int i = 0; i < m; i++) largest |= items[i].freq;
    weighted *from = items, *to = spare;
    for (int shift = 0; shift < 32 && (largest >> shift) != 0; shift += 8) {
        uint32_t start[256] = {0};
        for (int i = 0; i < m; i++) start[(from[i].freq >> shift) & 255]++;
        uint32_t sum = 0;
        for (int d = 0; d < 256; d++) { uint32_t c = start[d]; start[d] = sum; sum += c; }
        for (int i = 0; i < m; i++) to[start[(from[i].freq >> shift) & 255]++] = from[i];
        weighted *t = from; from = to; to = t;
    }
    if (from != items) memcpy(items, from, (size_t)m * sizeof(weighted));
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
    /* Items are in symbol order, so a stable sort by frequency orders by frequency, then symbol; except for an
     * unused symbol added above, which may come before the used one of frequency 1. */
    sort_by_frequency(items, m);
    if (m == 2 && items[0].freq == items[1].freq && items[0].symbol > items[1].symbol) {
        weighted t = items[0]; items[0] = items[1]; items[1] = t;
    }
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
        uint32_t c = next[l]++;
        c = (c & 0x5555u) << 1 | (c >> 1 & 0x5555u);
        c = (c & 0x3333u) << 2 | (c >> 2 & 0x3333u);
        c = (c & 0x0f0fu) << 4 | (c >> 4 & 0x0f0fu);
        c = (c & 0x00ffu) << 8 | (c >> 8 & 0x00ffu);
        codes[s] = (uint16_t)(c >> (16 - l));
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

/* Counts every byte of in[0..<n) (n <= 65,535) into freq[0...255]. Eight bytes are loaded at once and counted in
 * eight tables, so a byte repeated nearby does not wait on its own counter's store; a table sees every eighth byte,
 * at most 8,192 of a block, so 16-bit counts do (and the tables fit L1 twice over). */
static void count_bytes(const uint8_t *in, size_t n, uint32_t *freq) {
    uint16_t h[8][256];
    memset(h, 0, sizeof h);
    size_t i = 0;
    /* Eight bytes equal to the last eight (a flat area) are only counted as one more repeat, added when they end:
     * counting them one by one would wait on the same eight counters' stores again and again. */
    uint64_t last = 0;
    uint16_t repeats = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, in + i, 8);
        if (x == last) {
            repeats++;
            continue;
        }
        for (int k = 0; k < 8; k++) h[k][(last >> (8 * k)) & 255] += repeats;
        repeats = 1;
        last = x;
    }
    for (int k = 0; k < 8; k++) h[k][(last >> (8 * k)) & 255] += repeats;
    for (; i < n; i++) h[i & 7][in[i]]++;
    for (int s = 0; s < 256; s++) {
        freq[s] = (uint32_t)h[0][s] + h[1][s] + h[2][s] + h[3][s] + h[4][s] + h[5][s] + h[6][s] + h[7][s];
    }
}

static inline void add_run(block_state *b, size_t at, size_t r, uint8_t v) {
    b->runs[b->run_count++] = (uint32_t)at | (uint32_t)r << 16;
    b->litlen_freq[b->length_symbol[r]]++;
    b->litlen_freq[v] -= (uint32_t)r;
}

/* Finds the runs in in[from..<n), one byte at a time. */
static void find_runs_bytewise(block_state *b, const uint8_t *in, size_t n, size_t from) {
    size_t i = from;
    while (i < n) {
        if (in[i] == in[i - 1]) {
            size_t max = n - i < 258 ? n - i : 258, r = 1;
            uint8_t v = in[i - 1];
            while (r < max && in[i + r] == v) r++;
            if (r >= 3) {
                add_run(b, i, r, v);
                i += r;
                continue;
            }
        }
        i++;
    }
}

/* 0: the fastest path the processor allows; 1: no BMI2; 2: no SIMD either (the portable C). */
static int forced_path = 0;

void ccopia_zlib_rle_force_path(int path) { __atomic_store_n(&forced_path, path, __ATOMIC_RELAXED); }

/* Finds the block's runs and counts its symbols. A run starts at i when in[i], in[i+1] and in[i+2] all equal
 * in[i-1]; it is as long as the bytes stay equal (at most 258). Every byte is counted first; each run's bytes are
 * then taken back off its value's count. */
static void tokenise(block_state *b, const uint8_t *in, size_t n) {
    memset(b->litlen_freq, 0, sizeof b->litlen_freq);
    memset(b->dist_freq, 0, sizeof b->dist_freq);
    count_bytes(in, n, b->litlen_freq);
    b->run_count = 0;
    size_t i = 1;
#if defined(__SSE2__)
    /* Thirty-two positions compared with their left neighbours at a time; a run can start at the first thirty. */
    while (__atomic_load_n(&forced_path, __ATOMIC_RELAXED) < 2 && i + 32 <= n) {
        __m128i a = _mm_loadu_si128((const __m128i *)(in + i)), a1 = _mm_loadu_si128((const __m128i *)(in + i - 1));
        __m128i c = _mm_loadu_si128((const __m128i *)(in + i + 16)), c1 = _mm_loadu_si128((const __m128i *)(in + i + 15));
        uint64_t equal = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, a1)) |
                         (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(c, c1)) << 16;
        uint64_t starts = equal & (equal >> 1) & (equal >> 2) & 0x3fffffffu;
        if (starts == 0) {
            i += 30;
            continue;
        }
        int k = __builtin_ctzll(starts);
        /* Bits past the 32 compared are ones, so r stops at the window's end at the latest. */
        size_t r = (size_t)__builtin_ctzll(~(equal >> k));
        i += (size_t)k;
        uint8_t v = in[i - 1];
        size_t max = n - i < 258 ? n - i : 258;
        if (r == (size_t)(32 - k)) {
            __m128i vv = _mm_set1_epi8((char)v);
            while (r + 16 <= max) {
                uint32_t differ = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(in + i + r)), vv)) ^ 0xffffu;
                if (differ != 0) {
                    r += (size_t)__builtin_ctz(differ);
                    goto found;
                }
                r += 16;
            }
            while (r < max && in[i + r] == v) r++;
        }
    found:
        if (r > max) r = max;
        add_run(b, i, r, v);
        i += r;
    }
#endif
    find_runs_bytewise(b, in, n, i);
    b->litlen_freq[END_OF_BLOCK] = 1;
    b->dist_freq[0] = (uint32_t)b->run_count;
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

/* A code and its length in one word: the bits (at most 24) low, the length in the top byte. */
#define CODE_BITS(x) ((uint64_t)((x) & 0xffffffu))
#define CODE_LENGTH(x) ((x) >> 24)

/* Writes out the accumulator's whole bytes with one unaligned 8-byte store (the caller has checked there is room
 * for it) and keeps the last partial byte's bits. */
#define FLUSH_WHOLE_BYTES()                                                                                          \
    do {                                                                                                             \
        store_le64(out, bits);                                                                                       \
        out += count >> 3;                                                                                           \
        bits >>= count & 56;                                                                                         \
        count &= 7;                                                                                                  \
    } while (0)

static inline void store_le64(uint8_t *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    for (int k = 0; k < 8; k++) p[k] = (uint8_t)(v >> (8 * k));
#endif
}

/* Four literals' codes joined pairwise first, so only the join with the accumulator waits on the bit count. Codes
 * and lengths are separate tables: a load each is cheaper than masking and shifting them out of one word. */
static inline __attribute__((always_inline)) void join4(const uint32_t *code, const uint8_t *length, const uint8_t *p,
                                                        uint64_t *group, size_t *group_length) {
    uint8_t b0 = p[0], b1 = p[1], b2 = p[2], b3 = p[3];
    size_t l0 = length[b0], l1 = length[b1], l2 = length[b2], l3 = length[b3];
    uint64_t low = (uint64_t)code[b0] | (uint64_t)code[b1] << l0, high = (uint64_t)code[b2] | (uint64_t)code[b3] << l2;
    *group = low | high << (l0 + l1);
    *group_length = l0 + l1 + l2 + l3;
}

/* The block's symbols after its header: runs of literals four to a flush, each run's length code, extra bits and
 * distance code in one word, with the up to three literals before it in the same flush. The accumulator holds at
 * most 7 bits between flushes: 7 + 4 x 12 = 55, and 7 + 3 x 12 + 18 = 61. */
static inline __attribute__((always_inline)) void write_symbols_impl(bit_writer *w, const block_state *b,
        const uint32_t *code, const uint8_t *length, const uint32_t *run_code, const uint8_t *in, size_t n,
        uint32_t end_of_block) {
    uint8_t *out = w->out + w->pos;
    uint64_t bits = w->bits;
    size_t count = (size_t)w->count;
    /* put_bits leaves fewer than 32 bits pending; the flush keeps fewer than 8. */
    FLUSH_WHOLE_BYTES();
    const uint8_t *p = in, *end = in + n;
    /* The literals before each run four at a time, then the run; after the last run, the literals to the end. */
    for (int r = 0;; r++) {
        const uint8_t *start = r < b->run_count ? in + (b->runs[r] & 0xffff) : end;
        for (; start - p >= 4; p += 4) {
            uint64_t group;
            size_t group_length;
            join4(code, length, p, &group, &group_length);
            bits |= group << count;
            count += group_length;
            FLUSH_WHOLE_BYTES();
        }
        if (r == b->run_count) break;
        size_t run_length = b->runs[r] >> 16;
        /* 0-3 literals left, then the run; the three bytes read are in the block, since the run follows. Masking
         * rather than branching on how many are left: a run ends every 50 bytes or so in a photo. */
        ptrdiff_t left = start - p;
        uint32_t m0 = -(uint32_t)(left > 0), m1 = -(uint32_t)(left > 1), m2 = -(uint32_t)(left > 2);
        uint8_t b0 = p[0], b1 = p[1], b2 = p[2];
        size_t l0 = length[b0] & m0, l1 = length[b1] & m1, l2 = length[b2] & m2;
        uint32_t x3 = run_code[run_length];
        uint64_t low = (uint64_t)(code[b0] & m0) | (uint64_t)(code[b1] & m1) << l0,
                 high = (uint64_t)(code[b2] & m2) | CODE_BITS(x3) << l2;
        bits |= (low | high << (l0 + l1)) << count;
        count += l0 + l1 + l2 + CODE_LENGTH(x3);
        FLUSH_WHOLE_BYTES();
        p = start + run_length;
    }
    for (; p < end; p++) {
        bits |= (uint64_t)code[*p] << count;
        count += length[*p];
    }
    bits |= CODE_BITS(end_of_block) << count;
    count += CODE_LENGTH(end_of_block);
    FLUSH_WHOLE_BYTES();
    w->pos = (size_t)(out - w->out);
    w->bits = bits;
    w->count = (int)count;
}

/* write_symbols is compiled twice: with BMI2 where the processor has it (Haswell and later), whose shlx/shrx shift
 * by a register in one instruction without the CL register dance, and for the baseline target. Same C, same bits. */
static void write_symbols_base(bit_writer *w, const block_state *b, const uint32_t *code, const uint8_t *length, const uint32_t *run_code,
                               const uint8_t *in, size_t n, uint32_t end_of_block) {
    write_symbols_impl(w, b, code, length, run_code, in, n, end_of_block);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("bmi2"))) static void write_symbols_bmi2(bit_writer *w, const block_state *b,
        const uint32_t *code, const uint8_t *length, const uint32_t *run_code, const uint8_t *in, size_t n, uint32_t end_of_block) {
    write_symbols_impl(w, b, code, length, run_code, in, n, end_of_block);
}

static int use_bmi2(void) {
    static int cached = -1;
    if (__atomic_load_n(&forced_path, __ATOMIC_RELAXED) > 0) return 0;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("bmi2") != 0;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}
#endif

static void write_symbols(bit_writer *w, const block_state *b, const uint32_t *code, const uint8_t *length, const uint32_t *run_code,
                          const uint8_t *in, size_t n, uint32_t end_of_block) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (use_bmi2()) {
        write_symbols_bmi2(w, b, code, length, run_code, in, n, end_of_block);
        return;
    }
#endif
    write_symbols_base(w, b, code, length, run_code, in, n, end_of_block);
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
    /* The whole block, the pending bits and the last flush's 8-byte store must fit; then no write below checks. */
    if (w->pos + (size_t)((dynamic_bits + 32 + 7) / 8) + 8 > w->capacity) { w->overflow = 1; return; }

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
    uint32_t literal_code[256], run_code[259];
    for (int s = 0; s < 256; s++) literal_code[s] = litlen_code[s];
    /* A run's length symbol, its extra bits and the distance code (one bit), at most 12 + 5 + 1 bits. */
    for (int length = 3; length <= 258; length++) {
        int s = b->length_symbol[length], extra = b->length_extra_bits[length];
        uint32_t code = litlen_code[s] | (uint32_t)b->length_extra_value[length] << litlen_len[s] |
                        (uint32_t)dist_code[0] << (litlen_len[s] + extra);
        run_code[length] = code | (uint32_t)(litlen_len[s] + extra + dist_len[0]) << 24;
    }
    write_symbols(w, b, literal_code, litlen_len, run_code, in, n, litlen_code[END_OF_BLOCK] | (uint32_t)litlen_len[END_OF_BLOCK] << 24);
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
