# The two commands a newcomer needs: 'make run' and 'make test'.
# Each installs the Debian packages it needs when they are missing (scripts/deps).

GO ?= go
# Packages that must build and test without cgo: everything but the GUI.
NOCGO_PKGS = $(shell $(GO) list ./... | grep -v -e /ui -e /cmd/authdesk)

.PHONY: run test bench fuzz package deps-run deps-test deps-bench vet

run: deps-run
	$(GO) run ./cmd/authdesk $(ARGS)

test: deps-test vet
	scripts/testenv $(GO) test -count=1 -timeout 15m ./...

vet:
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) vet $(NOCGO_PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# Benchmarks print our figures beside a peer's measured in the same run.
bench: deps-bench
	scripts/bench

# A short run of every fuzzer (the seed corpus runs in 'make test' already).
fuzz:
	scripts/fuzz $(or $(FUZZTIME),30s)

package: deps-run
	scripts/package.sh

deps-run:
	@scripts/deps run
deps-test:
	@scripts/deps test
deps-bench:
	@scripts/deps bench
