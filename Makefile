# Convenience targets; README's two commands (bash .ci/walkthrough, bash .ci/run) need no make.
PREFIX ?= /usr/local
SWIFT ?= swift
# SwiftPM's build directory for `make man` (the manual plugin builds the package there, in debug mode).
SCRATCH ?= .build
# The obsctl binary that `completions` and `install` use. Default: the release build (made first). BIN=PATH uses
# that binary instead and builds nothing, e.g. `make install PREFIX=/tmp/p BIN=.build/debug/obsctl`.
ifeq ($(origin BIN),undefined)
BIN = $(shell $(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/obsctl
BIN_DEP = release
else
BIN_DEP =
endif

.PHONY: build release test walkthrough bench completions man check-generated install uninstall clean

build:
	bash .ci/setup debug
release:
	bash .ci/setup release
test:
	bash .ci/run
walkthrough:
	bash .ci/walkthrough
bench: release
	bash bench/local-sse.sh

# Regenerate the committed completion scripts and man pages from the command definitions.
# `make check-generated` (part of `bash .ci/run`) fails when the committed files differ from what the code generates.
completions: $(BIN_DEP)
	$(BIN) --generate-completion-script bash > completions/obsctl.bash
	$(BIN) --generate-completion-script zsh > completions/_obsctl
	$(BIN) --generate-completion-script fish > completions/obsctl.fish
man:
	$(SWIFT) package --scratch-path $(SCRATCH) plugin generate-manual --configuration debug --multi-page \
	  --date 2026-11-29 --authors "obsctl developers"
	rm -f man/*.1 && cp $(SCRATCH)/plugins/GenerateManual/outputs/obsctl/*.1 man/
check-generated:
	bash .ci/check-generated $(SCRATCH)

# Completions go where each shell looks by default under PREFIX; `make uninstall` removes exactly these files.
# The pages are named as the manual plugin names them (obsctl.kms.key.create.1); each is also installed under the
# name git and others use, obsctl-kms-key-create.1 (a symbolic link), so that `man obsctl-kms-key-create` finds it.
install: $(BIN_DEP)
	install -Dm755 $(BIN) $(DESTDIR)$(PREFIX)/bin/obsctl
	install -Dm755 $(dir $(BIN))obsctl-serve $(DESTDIR)$(PREFIX)/bin/obsctl-serve
	install -Dm644 completions/obsctl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/obsctl
	install -Dm644 completions/_obsctl $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_obsctl
	install -Dm644 completions/obsctl.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/obsctl.fish
	for f in man/*.1; do install -Dm644 $$f $(DESTDIR)$(PREFIX)/share/man/man1/$$(basename $$f); done
	for f in man/obsctl.*.1; do p=$$(basename $$f); \
	  ln -sf $$p $(DESTDIR)$(PREFIX)/share/man/man1/$$(echo $${p%.1} | tr . -).1; done
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/obsctl $(DESTDIR)$(PREFIX)/bin/obsctl-serve \
	      $(DESTDIR)$(PREFIX)/share/bash-completion/completions/obsctl \
	      $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_obsctl \
	      $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/obsctl.fish
	for f in man/*.1; do p=$$(basename $$f); \
	  rm -f $(DESTDIR)$(PREFIX)/share/man/man1/$$p $(DESTDIR)$(PREFIX)/share/man/man1/$$(echo $${p%.1} | tr . -).1; done
clean:
	rm -rf .build
