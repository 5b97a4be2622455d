# The README's two commands: `make run` and `make test`.
PRESET ?= release
JOBS ?= 2

.PHONY: setup build run test test-asan test-tsan bench clean

setup:
	@bash scripts/setup.sh

build: setup
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

run: setup
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS) --target gaia_server gaia
	@./build/$(PRESET)/src/app/gaia_server $(ARGS)

test: setup
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)
	@ctest --preset dev -j $(JOBS)

test-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS) -L unit

test-tsan: setup
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS)
	@ctest --preset tsan -j $(JOBS) -L unit

bench: PRESET = release
bench: build
	@./build/release/bench/limiter_bench

clean:
	rm -rf build
