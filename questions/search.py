"""The interviewer's search of the bank: forgiving of what people type.

On PostgreSQL, full-text search keeps ranking the matches (title above tags above the prompt),
and three things make it forgiving:

- every word also matches as a prefix ("decor" finds decorators, "migra" migrations);
- abbreviations and their long forms are one word ("LRU" finds "least-recently-used");
- `pg_trgm` word similarity on titles and tags finds what is misspelt or cut oddly
  ("decorater", "N+1"), through the trigram indexes of migration 0005.

A query in web-search syntax ("a phrase", -without, or) is taken exactly as written.
The embedded SQLite default matches every word (or its long form) as a substring of the
title, tags or prompt, unranked.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, TextField
from django.db.models.functions import Cast, Greatest

from questions.models import SEARCH_CONFIG, Question, search_vector

# Pads written in a room (rooms.actions.pads) stay out of the bank's search until saved.
PADS = "room-pads"

# Abbreviations the bank's questions spell out (or the other way round), lower case.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "lru": ("least recently used",),
    "n+1": ("n plus one", "n plus 1"),
    "gil": ("global interpreter lock",),
    "orm": ("object relational mapping", "object relational mapper"),
    "mvcc": ("multiversion concurrency control", "multi version concurrency control"),
    "cte": ("common table expression", "with query"),
    "fts": ("full text search",),
    "tdd": ("test driven development",),
}
# A title or tag this similar to the whole query (pg_trgm word similarity, 0-1) is a match.
SIMILAR = 0.5
WORD = re.compile(r"[\w+#.-]+")


def words(text: str) -> list[str]:
    """The query's words, lower case; punctuation around them dropped, "n+1" and "c#" kept."""
    found = (w.strip(".-").lower() for w in WORD.findall(text))
    return [w for w in found if any(c.isalnum() for c in w)]


def _lexeme(word: str) -> str:
    """One quoted lexeme of to_tsquery's syntax."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_text(query_words: list[str]) -> str:
    """A to_tsquery text: every word (as a prefix, or any of its long forms) must match."""
    terms = []
    for word in query_words:
        alternatives = [_lexeme(word) + ":*"]
        for phrase in SYNONYMS.get(word, ()):
            alternatives.append("(" + " <-> ".join(_lexeme(w) for w in phrase.split()) + ")")
        terms.append("(" + " | ".join(alternatives) + ")")
    return " & ".join(terms)


def web_syntax(text: str) -> bool:
    """The text uses web-search syntax: a "quoted phrase", an -exclusion or OR."""
    return '"' in text or bool(re.search(r"(^|\s)-\w|\sor\s", text, re.IGNORECASE))


def _web_search(questions: QuerySet[Question], text: str) -> QuerySet[Question]:
    """Exactly what was asked for, with web-search syntax: ranked, nothing added."""
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    return (
        questions.annotate(search=search_vector(), rank=SearchRank(search_vector(), query))
        .filter(search=query)
        .order_by("-rank", "slug")
    )


def _postgresql(questions: QuerySet[Question], text: str) -> QuerySet[Question]:
    if web_syntax(text):
        return _web_search(questions, text)
    query = SearchQuery(tsquery_text(words(text)), search_type="raw", config=SEARCH_CONFIG)
    tags = Cast("tags", TextField())
    similarity = Greatest(
        TrigramWordSimilarity(text, "title"),
        TrigramWordSimilarity(text, tags),
        output_field=FloatField(),
    )
    return (
        questions.annotate(
            search=search_vector(),
            tags_text=tags,
            rank=SearchRank(search_vector(), query),
            similarity=similarity,
        )
        .filter(
            Q(search=query)
            | Q(title__trigram_word_similar=text)
            | Q(tags_text__trigram_word_similar=text)
        )
        .filter(Q(search=query) | Q(similarity__gte=SIMILAR))
        .order_by(-(F("rank") + F("similarity")), "slug")
    )


def _substring(questions: QuerySet[Question], text: str) -> QuerySet[Question]:
    for word in words(text) or [text]:
        matches = Q(title__icontains=word) | Q(prompt__icontains=word) | Q(tags__icontains=word)
        for phrase in SYNONYMS.get(word, ()):
            every = Q()
            for part in phrase.split():
                every &= (
                    Q(title__icontains=part) | Q(prompt__icontains=part) | Q(tags__icontains=part)
                )
            matches |= every
        questions = questions.filter(matches)
    return questions.order_by("category__position", "slug")


def matching(questions: QuerySet[Question], text: str) -> QuerySet[Question]:
    """The questions matching `text`, best first."""
    questions = questions.exclude(category__slug=PADS)
    if connection.vendor == "postgresql" and words(text):
        return _postgresql(questions, text)
    return _substring(questions, text)
