/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the few kernel APIs module/limiter.c uses, so the
 * very same file can be compiled and timed in userspace (limiter_bench.sh).
 * Forced in with -include; limiter_bench.sh also makes the <linux/...>
 * headers limiter.c includes resolve to empty files.
 */
#ifndef EFS_KSHIM_H
#define EFS_KSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef uint64_t u64;
typedef int64_t s64;
typedef uint32_t u32;
typedef int32_t s32;

#define U64_MAX		((u64)~0ULL)
#define S64_MAX		((s64)(U64_MAX >> 1))
#define U32_MAX		((u32)~0U)
#define NSEC_PER_SEC	1000000000L
#define NSEC_PER_MSEC	1000000L
#define ENOMEM		12

#define __percpu
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define noinline	__attribute__((__noinline__))
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif
#define READ_ONCE(x)	(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))

#define min(a, b)	({ typeof(a) _a = (a); typeof(b) _b = (b); \
			   _a < _b ? _a : _b; })
#define max(a, b)	({ typeof(a) _a = (a); typeof(b) _b = (b); \
			   _a > _b ? _a : _b; })
#define min3(a, b, c)	min(min(a, b), c)
#define min_t(t, a, b)	min((t)(a), (t)(b))
#define max_t(t, a, b)	max((t)(a), (t)(b))
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

/* Kernel atomics are fully ordered for RMW ops; x86 lock cmpxchg is too. */
typedef struct {
	s64 counter;
} atomic64_t;

static inline s64 atomic64_read(const atomic64_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic64_set(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline bool atomic64_try_cmpxchg(atomic64_t *v, s64 *old, s64 new)
{
	return __atomic_compare_exchange_n(&v->counter, old, new, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}

static inline u64 div64_u64_rem(u64 a, u64 b, u64 *rem)
{
	*rem = a % b;
	return a / b;
}

static inline u64 div_u64_rem(u64 a, u32 b, u32 *rem)
{
	*rem = a % b;
	return a / b;
}

static inline u64 div_u64(u64 a, u32 b)
{
	return a / b;
}

/* Like the x86 kernel version, the caller must keep the quotient < 2^64. */
static inline u64 mul_u64_u64_div_u64(u64 a, u64 b, u64 c)
{
	return (u64)((unsigned __int128)a * b / c);
}

/* Per-CPU: one slot per bench thread, chosen by efs_shim_cpu. */
#define EFS_SHIM_NR_CPUS	64
extern __thread int efs_shim_cpu;

#define alloc_percpu(type)	((type *)calloc(EFS_SHIM_NR_CPUS, 64))
#define free_percpu(p)		free(p)
/* 64-byte stride so that CPUs do not share a cache line, as in the kernel. */
#define get_cpu_ptr(p)	((typeof(p))((char *)(p) + 64 * efs_shim_cpu))
#define put_cpu_ptr(p)	((void)(p))
#define num_possible_cpus()	EFS_SHIM_NR_CPUS
#define per_cpu_ptr(p, cpu)	((typeof(p))((char *)(p) + 64 * (cpu)))
#define for_each_possible_cpu(cpu) \
	for ((cpu) = 0; (cpu) < EFS_SHIM_NR_CPUS; (cpu)++)
#define xchg(ptr, v)		__atomic_exchange_n((ptr), (v), __ATOMIC_SEQ_CST)

#endif /* EFS_KSHIM_H */
