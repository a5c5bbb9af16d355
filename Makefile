# Convenience targets; README's two commands (bash .ci/walkthrough, bash .ci/run) need no make.
PREFIX ?= /usr/local
SWIFT ?= swift
BIN = $(shell $(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/obsctl

.PHONY: build release test walkthrough bench completions man install uninstall clean

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
completions: release
	$(BIN) --generate-completion-script bash > completions/obsctl.bash
	$(BIN) --generate-completion-script zsh > completions/_obsctl
	$(BIN) --generate-completion-script fish > completions/obsctl.fish
man:
	$(SWIFT) package plugin generate-manual --multi-page --date 2026-11-29 --authors "obsctl developers"
	rm -f man/*.1 && cp .build/plugins/GenerateManual/outputs/obsctl/*.1 man/

install: release
	install -Dm755 $(BIN) $(DESTDIR)$(PREFIX)/bin/obsctl
	install -Dm644 completions/obsctl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/obsctl
	install -Dm644 completions/_obsctl $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_obsctl
	install -Dm644 completions/obsctl.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/obsctl.fish
	for f in man/*.1; do install -Dm644 $$f $(DESTDIR)$(PREFIX)/share/man/man1/$$(basename $$f); done
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/obsctl $(DESTDIR)$(PREFIX)/share/bash-completion/completions/obsctl \
	      $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_obsctl $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/obsctl.fish
	for f in man/*.1; do rm -f $(DESTDIR)$(PREFIX)/share/man/man1/$$(basename $$f); done
clean:
	rm -rf .build
