# SPDX-License-Identifier: GPL-2.0
#
# The unit and command-line tests once more with ASan and UBSan, included
# by the Makefile: "make test-sanitize". Objects and binaries live in
# build/sanitize/, so the normal build never links a sanitized object.
# clang links its sanitizer runtime into the executable, which lets the
# command-line tests LD_PRELOAD tests/fakenl.so as they always do.

SAN_CC		?= clang
SAN_BUILD	:= build/sanitize
SAN_CFLAGS	:= $(SANITIZE_CFLAGS)
SAN_ENV		:= ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
SAN_LIB_OBJS	:= $(addprefix $(SAN_BUILD)/,$(LIB_OBJS))

$(SAN_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(SAN_CFLAGS) -MMD -MP -c -o $@ $<
$(SAN_BUILD)/cmd_version.o: .version

$(SAN_BUILD)/efsctl: $(addprefix $(SAN_BUILD)/,$(CMD_OBJS)) $(SAN_LIB_OBJS)
	$(SAN_CC) $(SAN_CFLAGS) -o $@ $^ $(LDLIBS)

$(SAN_BUILD)/tests/%: $(SAN_BUILD)/tests/%.o $(SAN_LIB_OBJS)
	$(SAN_CC) $(SAN_CFLAGS) -o $@ $^ $(LDLIBS)

test-sanitize: $(SAN_BUILD)/efsctl $(SAN_BUILD)/tests/unit \
	       $(SAN_BUILD)/tests/apply_unit $(SAN_BUILD)/tests/cluster_unit \
	       tests/fakenl.so
	@rc=0; export $(SAN_ENV); \
	$(SAN_BUILD)/tests/unit || rc=1; \
	$(SAN_BUILD)/tests/apply_unit || rc=1; \
	$(SAN_BUILD)/tests/cluster_unit || rc=1; \
	EFSCTL_VERSION='$(EFSCTL_VERSION)' \
		sh ./tests/cli.sh $(SAN_BUILD)/efsctl ./tests/fakenl.so || rc=1; \
	sh ./tests/apply_cli.sh $(SAN_BUILD)/efsctl ./tests/fakenl.so || rc=1; \
	bash ./tests/completion.sh $(SAN_BUILD)/efsctl ./tests/fakenl.so || rc=1; \
	sh ./tests/cluster_cli.sh $(SAN_BUILD)/efsctl ./tests/fakenl.so || rc=1; \
	exit $$rc

.PHONY: test-sanitize

-include $(wildcard $(SAN_BUILD)/*.d $(SAN_BUILD)/tests/*.d)
