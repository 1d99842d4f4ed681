# The help centre: `make run` serves it, `make test` runs every test.
GO      ?= go
BIN     := bin/helpcentre
COVID   := ../shared/eval/covidfaq

# staticcheck, run through the Go module proxy at a pinned version (no install step)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build run test contract lint eval bench fuzz release clean

build:
	$(GO) build -o $(BIN) ./cmd/helpcentre

## run: serve the bundled articles and the demo after-sales world on 127.0.0.1:8080
## (loopback only: the demo's tokens are public), data under ./data; with Apertium
## installed (.ci/deps) it starts the translation engine too, and stops it again on
## Ctrl-C (one that was already running is left alone)
run: build
	@started=; \
	if command -v apertium-apy >/dev/null 2>&1; then \
		.ci/apy status >/dev/null 2>&1 || started=1; \
		.ci/apy start && export HELPCENTRE_TRANSLATOR=$${HELPCENTRE_TRANSLATOR:-http://127.0.0.1:$${APY_PORT:-2737}}; \
	else \
		echo "make run: Apertium is not installed: messages will not be translated."; \
		echo "          Install it with: sudo .ci/deps  (Debian: apt-get install apertium-apy apertium-eng-spa)"; \
	fi; \
	if [ -n "$$started" ]; then trap '.ci/apy stop' EXIT; trap 'exit 130' INT TERM; fi; \
	./$(BIN) serve --demo

## test: vet and every test, with the race detector. On a quiet 2-core machine no
## package takes 2 minutes; the timeout leaves room for a loaded one and stops a
## hung test well before CI's own limit.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 8m ./...

## contract: the store contract suite on both stores: the bbolt file, and PostgreSQL
## (a throwaway cluster the tests start; skipped when PostgreSQL is not installed,
## a failure instead with HELPCENTRE_REQUIRE_POSTGRES=1, as CI sets it)
contract:
	$(GO) test -race -count=1 -run TestContract ./domain/bolt/ ./domain/postgres/

## lint: formatting, vet, staticcheck, builds for Linux, macOS and Windows, and the bundled content's own check
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	GOOS=linux $(GO) build ./...
	GOOS=darwin $(GO) build ./...
	GOOS=windows $(GO) build ./...
	$(GO) run ./cmd/helpcentre check -strict content/articles

## eval: search quality on the bundled content (bitext dev, Spanish dev), deflection, and, when present, CovidFAQ
eval: build
	@echo "== bitext dev queries on the bundled English articles"
	./$(BIN) eval -queries search/testdata/bitext/queries_dev.jsonl -intents search/testdata/bitext/intents.json
	@echo "== Spanish dev questions on the bundled Spanish articles (written from the titles only)"
	./$(BIN) eval -locale es -queries search/testdata/es/queries_dev.jsonl
	@echo "== deflection: bitext dev (answer among the suggestions shown) and out-of-scope dev (nothing shown)"
	./$(BIN) eval -mode deflect -queries search/testdata/bitext/queries_dev.jsonl -oos search/testdata/outofscope/queries_dev.jsonl
	@echo "== deflection: the harder out-of-scope set (near misses; never used for fitting): nothing shown"
	@./$(BIN) eval -mode deflect -queries search/testdata/outofscope/queries_hard.jsonl | grep -E '^(threshold +[0-9]|out of scope|nothing shown) '
	@if [ -d $(COVID) ]; then \
		echo "== CovidFAQ (foreign corpus)"; \
		./$(BIN) eval -content $(COVID)/articles -queries $(COVID)/queries.jsonl; \
	else echo "(skipping CovidFAQ: $(COVID) not found)"; fi

## bench: build, reload, query and HTTP figures at 1,000 and 10,000 articles (~4 min
## on 2 cores); BENCH_FLAGS=--json for one JSON object, e.g. BENCH_FLAGS="--articles 1000,10000,100000"
bench: build
	./$(BIN) bench --articles 1000,10000 --duration 8s $(BENCH_FLAGS)

## fuzz: every Go fuzz target in the repository (found by grepping for "func Fuzz"),
## each for FUZZTIME (60s); their seeds also run in every go test. A failing
## input is kept under the package's testdata/fuzz/ and stops the run.
FUZZTIME ?= 60s
fuzz:
	@set -e; grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | sort | while read -r f; do \
		pkg=./$$(dirname $$f); \
		for t in $$(sed -n -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/p' $$f); do \
			echo "== $$t ($$pkg, $(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

## release: static binaries (CGO_ENABLED=0) for linux, darwin and windows on amd64 and
## arm64 into dist/, with dist/SHA256SUMS (check with: cd dist && sha256sum -c SHA256SUMS).
## The version is the module's as Go stamps it from git (helpcentre version).
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
release:
	rm -rf dist
	mkdir -p dist
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
		echo "dist/helpcentre-$$os-$$arch$$ext"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -buildvcs=auto -ldflags="-s -w" -o dist/helpcentre-$$os-$$arch$$ext ./cmd/helpcentre; \
	done
	cd dist && sha256sum helpcentre-* > SHA256SUMS
	@cat dist/SHA256SUMS

clean:
	rm -rf bin dist
