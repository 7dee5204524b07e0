"""The engine around generate(), on the bundled model, in one process run. Reports figures, asserts nothing.

  .venv/bin/python bench/engine_bench.py [--tokens N] [--tasks N]

1. tokens/s through codecall's Transformers.generate vs raw transformers generate() on the same prompt;
2. a 3-turn conversation with the KV cache of the shared prefix reused vs recomputed;
3. per step of real runs (guided, kernel sandbox): generate vs the engine's own time (prompting, parsing,
   checking, executing) as a share of the step.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import torch

from codecall import Agent
from codecall.models import GenerationRequest, Transformers
from codecall.tools import load_tools

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant who writes short Python programs."},
    {"role": "user", "content": "Write a function that returns the n-th Fibonacci number, and test it."},
]
TASKS = ["What is 2 + 3?", "计算 12 乘以 9 的结果", "What is 7 times 6?", "Add 1.5 and 2.25."]


def raw_tokens_per_second(model: Transformers, tokens: int) -> float:
    prompt = model.tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    ids = model.tokenizer(prompt, add_special_tokens=False, return_tensors="pt").input_ids
    with torch.inference_mode():
        started = time.perf_counter()
        out = model.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=tokens,
                                   min_new_tokens=tokens, do_sample=False,
                                   pad_token_id=model.tokenizer.eos_token_id)  # fmt: skip
        elapsed = time.perf_counter() - started
    return (out.shape[1] - ids.shape[1]) / elapsed


def codecall_tokens_per_second(model: Transformers, tokens: int) -> float:
    generation = model.generate(GenerationRequest(MESSAGES, max_new_tokens=tokens))
    return generation.completion_tokens / generation.duration_s


def conversation_seconds(model: Transformers) -> float:
    messages = list(MESSAGES)
    started = time.perf_counter()
    for turn in range(3):
        reply = model.generate(GenerationRequest(messages, max_new_tokens=24))
        messages += [{"role": "assistant", "content": reply.text}, {"role": "user", "content": f"Shorter ({turn})."}]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument("--tasks", type=int, default=len(TASKS))
    args = parser.parse_args()
    model = Transformers(reuse_cache=False, guide=False)
    model.generate(GenerationRequest(MESSAGES, max_new_tokens=4))  # warm-up

    raw, ours = [], []
    for _ in range(3):  # interleaved, so load on the machine hits both alike
        raw.append(raw_tokens_per_second(model, args.tokens))
        ours.append(codecall_tokens_per_second(model, args.tokens))
    raw_tps, our_tps = statistics.median(raw), statistics.median(ours)

    cached = Transformers(reuse_cache=True, guide=False)
    without = statistics.median(conversation_seconds(model) for _ in range(2))
    with_cache = statistics.median(conversation_seconds(cached) for _ in range(2))

    agent = Agent(Transformers(), load_tools(ROOT / "examples" / "tools.py"), max_steps=2)
    steps = [step for task in TASKS[: args.tasks] for step in agent.run(task).steps]
    generate = sum(s.generate_s for s in steps)
    engine = sum(s.engine_s + s.execute_s for s in steps)

    print(f"# engine benchmarks — {date.today()} — {platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads\n")  # fmt: skip
    print("| measure | codecall | anchor | ratio |\n|---|---:|---:|---:|")
    print(f"| tokens/s, greedy, {args.tokens} new tokens | {our_tps:.1f} | raw generate() {raw_tps:.1f} | "
          f"{our_tps / raw_tps:.2f}x |")  # fmt: skip
    print(f"| 3-turn conversation, s | KV cache reused {with_cache:.2f} | recomputed {without:.2f} | "
          f"{with_cache / without:.2f}x |")  # fmt: skip
    print(f"| engine share of a step ({len(steps)} steps, {args.tasks} tasks) | "
          f"{engine / (engine + generate):.1%} of {(engine + generate) / len(steps):.2f} s | generate "
          f"{generate / len(steps):.2f} s/step | |")  # fmt: skip
    out = ROOT / "bench" / "results" / "engine.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "date": str(date.today()),
                "tokens_per_s": {"codecall": our_tps, "raw": raw_tps},
                "conversation_s": {"cache": with_cache, "no_cache": without},
                "engine_s": engine,
                "generate_s": generate,
                "steps": len(steps),
            },
            indent=1,
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
