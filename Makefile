# The front door. `make run` and `make test` install what is missing first.
.PHONY: all build run test bench deps clean

BUILD ?= build
RUN_DB ?= var/demo.db
RUN_LISTEN ?= 127.0.0.1:8080

all: build

build:
	@scripts/deps.sh build
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) >/dev/null
	@ninja -C $(BUILD) -j2 | grep -v '^ninja: no work to do' || true
	@test -x $(BUILD)/wangge

run: build
	@mkdir -p $(dir $(RUN_DB))
	@[ -f $(RUN_DB) ] || $(BUILD)/wangge init --db sqlite:$(RUN_DB)
	@echo "wangge: open http://$(RUN_LISTEN)/ (the demo database is $(RUN_DB)); stop with Ctrl-C"
	@echo "wangge: log-in arrives with the identity module; until then the shell and /healthz are served"
	$(BUILD)/wangge serve --listen $(RUN_LISTEN) --db sqlite:$(RUN_DB)

test:
	@scripts/test.sh

clean:
	rm -rf build build-asan build-bench
