# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer harnesses of efsctl's parsers (README.md), included by
# the Makefile. Everything is built with clang and ASan + UBSan under
# fuzz/build/, apart from the gcc objects of the normal build.
#
#   make fuzz-corpus              run every harness once over its corpus
#   make fuzz [FUZZ_SECONDS=20] [FUZZ_SEED=1]
#                                 a burst of FUZZ_SECONDS per harness

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 20
FUZZ_SEED	?= 1
FUZZ_NICE	?= nice -n 19
FUZZ_BUILD	:= fuzz/build
FUZZ_HARNESSES	:= units fs_opts conf state nl_decode cluster_status
FUZZ_BINS	:= $(addprefix $(FUZZ_BUILD)/,$(FUZZ_HARNESSES))
FUZZ_LIB_OBJS	:= $(addprefix $(FUZZ_BUILD)/lib/,$(LIB_OBJS))
FUZZ_CFLAGS	:= $(SANITIZE_CFLAGS)
FUZZ_ENV	:= ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(FUZZ_BUILD)/lib/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		-MMD -MP -c -o $@ $<

$(FUZZ_BINS): $(FUZZ_BUILD)/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_LIB_OBJS) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

# Each input once; any crash, leak or sanitizer report fails.
fuzz-corpus: $(FUZZ_BINS)
	@set -e; for h in $(FUZZ_HARNESSES); do \
		echo "fuzz-corpus: $$h ($$(ls fuzz/corpus/$$h | wc -l) inputs)"; \
		$(FUZZ_ENV) $(FUZZ_BUILD)/$$h -runs=0 \
			-artifact_prefix=$(FUZZ_BUILD)/$$h- fuzz/corpus/$$h; \
	done

# New inputs go to fuzz/build/corpus/<h>, never into the committed corpus;
# stderr of the code under test is closed (libFuzzer's reports stay).
fuzz: $(FUZZ_BINS)
	@set -e; for h in $(FUZZ_HARNESSES); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$h; \
		echo "fuzz: $$h for $(FUZZ_SECONDS) s, seed $(FUZZ_SEED)"; \
		$(FUZZ_ENV) $(FUZZ_NICE) $(FUZZ_BUILD)/$$h \
			-max_total_time=$(FUZZ_SECONDS) -seed=$(FUZZ_SEED) \
			-timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
			-print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/$$h- \
			$(FUZZ_BUILD)/corpus/$$h fuzz/corpus/$$h; \
	done

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

.PHONY: fuzz fuzz-build fuzz-corpus fuzz-clean

-include $(wildcard $(FUZZ_BUILD)/lib/*.d)
