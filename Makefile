# zctx: swiotlb zero-copy TX. Thin wrapper around tools/zctx/*.sh.
include tools/zctx/base.env

ZCTX_BUILD ?= $(CURDIR)/build
export ZCTX_BUILD LINUX_PKG LINUX_PKG_VERSION
# No __pycache__ from our python scripts, in the repo or in the tree.
export PYTHONDONTWRITEBYTECODE := 1

Z := tools/zctx
.DEFAULT_GOAL := help
.PHONY: help deps tree export check check-debug check-kcsan check-mutants bench series \
	check-configs clean

help:
	@echo "zctx targets ($(LINUX_PKG) $(LINUX_PKG_VERSION), ZCTX_BUILD=$(ZCTX_BUILD)):"
	@echo "  make check          every test: checker self-tests, KUnit (.kunitconfig), bench smoke test, debug KUnit"
	@echo "  make check-debug    only the debug KUnit run ($(Z)/kunitconfig.debug: KASAN/lockdep, strict log)"
	@echo "  make check-kcsan    the feature suites under KCSAN ($(Z)/kunitconfig.kcsan; not in make check)"
	@echo "  make check-mutants  mutation test: each mutant of $(Z)/mutants.list must fail a KUnit case (slow)"
	@echo "  make bench          benchmark + plots"
	@echo "  make deps           install the Debian packages (incl. pinned kernel source)"
	@echo "  make tree           assemble \$$ZCTX_BUILD/linux = base + patches/ + overlay"
	@echo "  make export         write edits made in \$$ZCTX_BUILD/linux back to patches/ + files"
	@echo "  make series         the upstream series in out/series, each step built and checked"
	@echo "  make check-configs  build-test kernel config variants"
	@echo "  make clean          remove \$$ZCTX_BUILD"

deps:
	@$(Z)/deps.sh

tree:
	@$(Z)/tree.sh

export:
	@$(Z)/export.sh

check:
	@$(Z)/check.sh

check-debug:
	@$(Z)/kunit.sh $(Z)/kunitconfig.debug

check-kcsan:
	@$(Z)/kunit.sh $(Z)/kunitconfig.kcsan

check-mutants:
	@$(Z)/mutants.sh

# Optional scripts: run them if they exist, otherwise say so and fail.
bench series check-configs:
	@s=$(Z)/$@.sh; \
	if [ -f $$s ]; then exec bash $$s; \
	else echo "make $@: not yet implemented ($$s missing)"; exit 2; fi

# Refuses when the tree holds edits not exported yet (ZCTX_FORCE=1 overrides).
clean:
	@bash -c '. $(Z)/lib.sh && check_tree_unchanged'
	rm -rf -- "$(ZCTX_BUILD)"
