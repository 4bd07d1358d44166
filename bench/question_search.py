"""The question picker's search on a large bank, beside a plain substring scan.

Side by side in one run, on the same rows: `questions.services.search` (PostgreSQL full-text
search, ranked, on the GIN index of migration 0002), the same full-text query with index scans
switched off (what the index buys), the plain full-text search it replaced (websearch only,
no prefixes, abbreviations or trigrams), and the reference: every word matched with ILIKE against
title, prompt and tags (what the embedded SQLite fallback does), unranked. Prints the median
and p95 per query in milliseconds and the ratios to the reference.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ir_bench_questions .venv/bin/python \\
        bench/question_search.py [--sizes 1000,20000] [--repeat 20]

The bank in questions/bank/ is copied under new slugs (category `bench-copies`) until the
table holds each size; the copies stay in that database for the next run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from questions import search, services  # noqa: E402
from questions.models import Category, Question  # noqa: E402

QUERIES = [
    "race condition",
    "index",
    "zero downtime migration",
    "palindrome",
    "cache redis",
    # What the forgiving search adds: abbreviations, prefixes, a misspelling.
    "lru cache",
    "N+1",
    "decor",
    "decorater",
]


def pct(samples: list[float], q: float) -> float:
    return sorted(samples)[min(len(samples) - 1, int(q * len(samples)))]


def grow_bank(size: int) -> None:
    """Copies of the shipped questions until the table holds `size` rows."""
    originals = list(Question.objects.exclude(category__slug="bench-copies"))
    copies, _ = Category.objects.get_or_create(
        slug="bench-copies", defaults={"name": "Bench copies", "position": 99}
    )
    have = Question.objects.count()
    batch = []
    n = Question.objects.filter(category=copies).count()
    while have + len(batch) < size:
        source = originals[n % len(originals)]
        batch.append(
            Question(
                slug=f"{source.slug}-copy-{n}"[:100],
                title=source.title,
                prompt=source.prompt,
                category=copies,
                difficulty=source.difficulty,
                tags=source.tags,
                guidance=source.guidance,
            )
        )
        n += 1
    Question.objects.bulk_create(batch, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE questions_question")


def substring_scan(text: str) -> list[Question]:
    questions = Question.objects.select_related("category")
    for word in text.split():
        questions = questions.filter(
            Q(title__icontains=word) | Q(prompt__icontains=word) | Q(tags__icontains=word)
        )
    return list(questions.order_by("category__position", "slug")[: services.SEARCH_LIMIT])


def without_index(text: str) -> list[Question]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        return services.search(text)


def plain_fts(text: str) -> list[Question]:
    """The search before it forgave: websearch full-text only, ranked."""
    questions = Question.objects.select_related("category")
    return list(search._web_search(questions, text)[: services.SEARCH_LIMIT])


def timed(run, text: str, repeat: int) -> list[float]:
    run(text)  # warm the caches once
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run(text)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_questions", verbosity=0)
    print(
        "| questions | query | substring scan (ref) ms | fts without index ms | forgiving ms "
        "| hits | plain fts (before) ms | hits | forgiving / ref | forgiving / before |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in (int(s) for s in args.sizes.split(",")):
        grow_bank(size)
        for text in QUERIES:
            ref = timed(substring_scan, text, args.repeat)
            bare = timed(without_index, text, args.repeat)
            ours = timed(services.search, text, args.repeat)
            before = timed(plain_fts, text, args.repeat)
            m_ref, m_bare, m_ours, m_before = (
                statistics.median(s) for s in (ref, bare, ours, before)
            )
            print(
                f"| {Question.objects.count()} | {text} | {m_ref:.1f} (p95 {pct(ref, 0.95):.1f}) "
                f"| {m_bare:.1f} (p95 {pct(bare, 0.95):.1f}) "
                f"| {m_ours:.1f} (p95 {pct(ours, 0.95):.1f}) | {len(services.search(text))} "
                f"| {m_before:.1f} | {len(plain_fts(text))} "
                f"| {m_ours / m_ref:.2f} | {m_ours / m_before:.2f} |"
            )


if __name__ == "__main__":
    main()
