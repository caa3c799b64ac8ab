# The front door. `make run` and `make test` install what is missing first.
.PHONY: all build run test bench deps clean

BUILD ?= build
RUN_DB ?= var/demo.db
RUN_LISTEN ?= 127.0.0.1:8080

all: build

build:
	@scripts/deps.sh build
	@scripts/build.sh $(BUILD)
	@test -x $(BUILD)/wangge

run: build
	@scripts/demo.sh $(RUN_DB)
	@echo "wangge: open http://$(RUN_LISTEN)/ (the demo database is $(RUN_DB)); stop with Ctrl-C"
	@$(BUILD)/wangge serve --listen $(RUN_LISTEN) --db sqlite:$(RUN_DB)

test:
	@scripts/test.sh

# Wangge against nginx, raw SQLite and pgbench on both backends (bench/run.sh;
# options in BENCH_ARGS or BENCH_* variables, e.g. BENCH_ARGS="--scale 1 --cases 100000").
bench:
	@bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf build build-asan build-bench
