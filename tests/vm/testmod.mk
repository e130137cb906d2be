# Out-of-tree build of one of the VM tests' helper modules (the directory
# whose Makefile includes this, with a Kbuild and its .c files) into
# $(REPO)/build/$(KREL)/<directory name>/: Kbuild writes next to the
# sources, so they are copied there first and the source tree stays clean.
#
# The including Makefile sets SRC, its own directory, before the include.

KREL ?= $(shell uname -r)
REPO := $(abspath $(SRC)/../../..)
# The test kernel's headers (make deps unpacks them under build/kernels/).
KDIR ?= $(firstword $(wildcard $(REPO)/build/kernels/usr/src/linux-headers-$(KREL)) /lib/modules/$(KREL)/build)
OUT ?= $(REPO)/build/$(KREL)/$(notdir $(SRC))
# A kernel another gcc built is built for in its suite's mmdebstrap root
# (tests/setup/buildroot.sh; tests/setup/kernels.sh names it in .root-<release>).
ROOT := $(shell cat $(REPO)/build/kernels/.root-$(KREL) 2>/dev/null)
IN_ROOT := $(if $(ROOT),$(REPO)/tests/setup/buildroot.sh --run $(ROOT))

all:
	mkdir -p $(OUT)
	cp $(SRC)/Kbuild $(wildcard $(SRC)/*.c) $(OUT)/
	$(IN_ROOT) $(MAKE) -C $(KDIR) M=$(OUT) modules

clean:
	rm -rf $(OUT)

.PHONY: all clean
