"""Articles: per-locale content with its own state, placed in collections and folders, published
to the help center and to Fin and Copilot (the content library) in the write's transaction."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from tidings.admins import storage as admin_storage
from tidings.ai_content import library
from tidings.ai_content.lexical import query_terms
from tidings.articles import storage
from tidings.articles.body import normalise_body
from tidings.articles.schemas import (
    ArticleHighlights,
    ArticleList,
    ArticleOut,
    ArticleRequest,
    ArticleSearchData,
    ArticleSearchResponse,
    ArticleStatistics,
    DeletedArticle,
    HighlightPart,
    TagList,
)
from tidings.core import clock
from tidings.core.errors import PARAMETER_NOT_FOUND, found, invalid, not_found
from tidings.core.ids import parse_numeric_id
from tidings.core.paging import numbered_page, numbered_pages
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.events.record import record_event
from tidings.folders.service import check_folder
from tidings.help_center import storage as hc_storage
from tidings.help_center.content import check_locale, content_url, workspace_help_center

STATES = ("published", "draft")
SEARCH_STATES = {"published": ("published",), "draft": ("draft",), "all": STATES}
ARTICLES_PER_PAGE = 25
SEARCH_PER_PAGE = 10
MAX_PER_PAGE = 250
TITLE_LIMIT = 255
TEXT_LIMIT = 1_000_000
TITLE_WEIGHT = 3.0
SUMMARY_WORDS = 40


@dataclass(slots=True)
class Context:
    """What rendering articles needs once per request: help centers and the collection tree."""

    default_help_center: Any
    help_centers: dict[int, Any]
    collections: dict[int, Any]

    @property
    def locales(self) -> list[str]:
        return list(self.default_help_center["locales"])

    @property
    def multilingual(self) -> bool:
        return len(self.locales) > 1

    def help_center_of(self, parents: list[int]) -> Any:
        """The help center of the article's first collection, else the workspace's."""
        for collection_id in parents:
            collection = self.collections.get(collection_id)
            if collection is not None:
                return self.help_centers[int(collection["help_center_id"])]
        return self.default_help_center


async def context(uow: UnitOfWork) -> Context:
    default = await workspace_help_center(uow)
    centers = {int(r["id"]): r for r in await hc_storage.list_help_centers(uow)}
    collections = {int(r["id"]): r for r in await hc_storage.all_collections(uow)}
    return Context(default, centers, collections)


@dataclass(slots=True)
class Article:
    row: Any
    contents: dict[str, Any]  # locale -> content row
    parents: list[int]

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def main(self) -> Any:
        return self.contents.get(self.row["default_locale"]) or next(iter(self.contents.values()))


async def load(uow: UnitOfWork, rows: list[Any]) -> list[Article]:
    ids = [int(r["id"]) for r in rows]
    contents = await storage.contents_of(uow, ids)
    parents = await storage.parents_of(uow, ids)
    return [Article(r, {c["locale"]: c for c in contents[int(r["id"])]}, parents[int(r["id"])]) for r in rows]


async def article(uow: UnitOfWork, article_id: str | int) -> Article:
    numeric = parse_numeric_id(article_id)
    row = found(await storage.get_article(uow, numeric) if numeric else None)
    return (await load(uow, [row]))[0]


# Rendering.
def locale_url(ctx: Context, item: Article, content: Any) -> str | None:
    """The locale's public URL; a draft has none."""
    if content["state"] != "published":
        return None
    return address(ctx, item, content)


def address(ctx: Context, item: Article, content: Any) -> str:
    """Where the locale is (or will be, once published) on the help center."""
    return content_url(ctx.help_center_of(item.parents), content["locale"], "articles", item.id, content["title"])


def article_content(ctx: Context, item: Article, content: Any) -> dict[str, Any]:
    return {
        "type": "article_content",
        "title": content["title"],
        "description": content["description"],
        "body": content["body"],
        "author_id": int(content["author_id"]),
        "state": content["state"],
        "created_at": content["created_at"],
        "updated_at": content["updated_at"],
        # Not nullable in `article_content` [spec]: a draft locale shows the address it will have.
        "url": address(ctx, item, content),
    }


def article_out(ctx: Context, item: Article, *, statistics: bool) -> ArticleOut:
    main = item.main
    out = ArticleOut(
        id=str(item.id),
        workspace_id=item.row["workspace_id"],
        parent_ids=list(item.parents),
        tags=TagList(tags=[]),
        title=main["title"],
        description=main["description"],
        body=main["body"],
        author_id=int(main["author_id"]),
        state=main["state"],
        created_at=item.row["created_at"],
        updated_at=item.row["updated_at"],
        url=locale_url(ctx, item, main),
        folder_id=item.row["folder_id"],
    )
    if statistics:
        out.statistics = ArticleStatistics()
    if ctx.multilingual:
        translated: dict[str, Any] = {"type": "article_translated_content"}
        for locale in sorted(item.contents, key=lambda loc: (loc != item.row["default_locale"], loc)):
            translated[locale] = article_content(ctx, item, item.contents[locale])
        out.default_locale = item.row["default_locale"]
        out.translated_content = translated
    return out


def event_item(ctx: Context, item: Article) -> ArticleOut:
    """Webhook items are exactly the article's GET shape."""
    return article_out(ctx, item, statistics=True)


# The content library: what Fin and Copilot answer from.
def library_entries(ctx: Context, item: Article) -> list[library.Entry]:
    """One entry per published locale of the help center's languages. Fin links to the article only
    when it is listed (in a collection) on a help center whose website is on; otherwise it answers
    from it without a link, as from a snippet."""
    help_center = ctx.help_center_of(item.parents)
    listed = bool(item.parents) and bool(help_center["website_turned_on"])
    entries = []
    for locale, content in item.contents.items():
        if content["state"] != "published" or locale not in help_center["locales"]:
            continue
        html = content["body"]
        if content["description"]:
            html = f"<p>{content['description']}</p>{html}"
        entries.append(
            library.Entry(
                key=f"{item.id}:{locale}",
                title=content["title"],
                html=html,
                url=locale_url(ctx, item, content) if listed else None,
                locale=locale,
                ai_agent=bool(item.row["ai_agent_availability"]),
                copilot=bool(item.row["ai_copilot_availability"]),
            )
        )
    return entries


async def publish(uow: UnitOfWork, ctx: Context, item: Article) -> None:
    await library.sync(uow, library.ARTICLE, item.id, library_entries(ctx, item))


async def refresh_all(uow: UnitOfWork) -> None:
    """Re-derive every article's library pages (a help center's website, domain or languages changed)."""
    ctx = await context(uow)
    ids = await storage.article_ids(uow)
    for item in await load(uow, await storage.list_articles(uow, ids, 0, len(ids) or 1)):
        await publish(uow, ctx, item)


async def articles_in_collections(uow: UnitOfWork, collection_ids: list[int]) -> list[int]:
    return await storage.articles_in(uow, collection_ids) if collection_ids else []


async def parents_removed(uow: UnitOfWork, article_ids: list[int]) -> None:
    """After collections were deleted (their rows in `article_collections` went with them)."""
    if not article_ids:
        return
    ctx = await context(uow)
    now = clock.now()
    for item in await load(uow, await storage.list_articles(uow, article_ids, 0, len(article_ids))):
        await storage.update_article(uow, item.id, {"updated_at": now})
        await publish(uow, ctx, item)
        await record_event(uow, "article.updated", event_item(ctx, item), subject_type="article")


# Reads.
async def get(uow: UnitOfWork, article_id: str) -> ArticleOut:
    return article_out(await context(uow), await article(uow, article_id), statistics=True)


async def list_articles(uow: UnitOfWork, page: int | None, per_page: int | None) -> ArticleList:
    number, size, offset = numbered_page(page, per_page, ARTICLES_PER_PAGE, MAX_PER_PAGE)
    ctx = await context(uow)
    total = await storage.count_articles(uow)
    items = await load(uow, await storage.list_articles(uow, None, offset, size))
    return ArticleList(
        data=[article_out(ctx, item, statistics=False) for item in items],
        pages=numbered_pages(number, size, total),
        total_count=total,
    )


# Writes.
@dataclass(slots=True)
class LocaleInput:
    title: Any = UNSET
    description: Any = UNSET
    body: Any = UNSET
    author_id: Any = UNSET
    state: Any = UNSET


def _locale_inputs(data: ArticleRequest, default: str) -> dict[str, LocaleInput]:
    """Per locale, what the request sets: the top-level fields are the default locale's, over what
    `translated_content` gives for it."""
    inputs: dict[str, LocaleInput] = {}
    translated = data.translated_content if isinstance(data.translated_content, dict) else {}
    for locale, content in translated.items():
        if locale == "type" or content is None:
            continue
        check_locale(locale, "translated_content")
        if not isinstance(content, dict):
            raise invalid(f"translated_content.{locale} must be an object", "translated_content")
        fields = {key: content[key] for key in ("title", "description", "body", "author_id", "state") if key in content}
        inputs[locale] = LocaleInput(**fields)
    main = inputs.setdefault(default, LocaleInput())
    for key in ("title", "description", "body", "author_id", "state"):
        value = getattr(data, key)
        if value is not UNSET:
            setattr(main, key, value)
    return inputs


def _text(value: Any, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(f"{field} must be a string", field)
    if len(value) > limit:
        raise invalid(f"{field} must be at most {limit} characters", field)
    return value


async def _author(uow: UnitOfWork, value: Any) -> int:
    numeric = parse_numeric_id(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    if numeric is None or await admin_storage.get_admin(uow, numeric) is None:
        raise invalid("author_id must be a teammate", "author_id")
    return numeric


def _state(value: Any) -> str:
    if value not in STATES:
        raise invalid("state must be one of published, draft", "state")
    return value


async def _content_values(
    uow: UnitOfWork, given: LocaleInput, existing: Any, fallback_author: int | None
) -> dict[str, Any]:
    """A locale's content row values: what the request gives over what the locale had."""
    values: dict[str, Any] = {}
    if given.title is not UNSET:
        title = _text(given.title, "title", TITLE_LIMIT)
        if not title.strip():
            raise invalid("title must not be blank", "title")
        values["title"] = title
    if given.description is not UNSET:
        values["description"] = _text(given.description, "description", TEXT_LIMIT)
    if given.body is not UNSET:
        values["body"] = normalise_body(_text(given.body, "body", TEXT_LIMIT))
    if given.author_id is not UNSET:
        values["author_id"] = await _author(uow, given.author_id)
    if given.state is not UNSET:
        values["state"] = _state(given.state)
    if existing is None:
        if "title" not in values:
            raise PARAMETER_NOT_FOUND(
                "title must be in the main body or default locale translated_content object", "title"
            )
        if "author_id" not in values:
            if fallback_author is None:
                raise PARAMETER_NOT_FOUND(
                    "author_id must be in the main body or default locale translated_content object", "author_id"
                )
            values["author_id"] = fallback_author
        values = {"description": "", "body": "", "state": "draft"} | values
    return values


async def _parents(uow: UnitOfWork, data: ArticleRequest) -> list[int] | None:
    """The collection the request places the article in (None: not given; []: stands alone)."""
    if data.parent_id is UNSET:
        return None
    if data.parent_type not in (UNSET, None, "collection", "section"):
        raise invalid("parent_type must be collection", "parent_type")
    if data.parent_id is None or data.parent_id == "":
        return []
    numeric = parse_numeric_id(data.parent_id) if isinstance(data.parent_id, int | str) else None
    if numeric is None or await hc_storage.get_collection(uow, numeric) is None:
        raise not_found()
    return [numeric]


async def _write_contents(
    uow: UnitOfWork, article_id: int, inputs: dict[str, LocaleInput], existing: dict[str, Any], default: str, now: int
) -> None:
    main_author = existing[default]["author_id"] if default in existing else None
    ordered = sorted(inputs, key=lambda locale: locale != default)
    for locale in ordered:
        given = inputs[locale]
        values = await _content_values(uow, given, existing.get(locale), main_author)
        if locale == default:
            main_author = values.get("author_id", main_author)
        if locale in existing:
            if values:
                await storage.update_content(uow, existing[locale]["id"], values | {"updated_at": now})
        else:
            await storage.insert_content(
                uow, values | {"article_id": article_id, "locale": locale, "created_at": now, "updated_at": now}
            )


def _states(item: Article | None) -> dict[str, str]:
    return {} if item is None else {locale: c["state"] for locale, c in item.contents.items()}


async def _announce(uow: UnitOfWork, ctx: Context, item: Article, before: dict[str, str], topic: str) -> None:
    payload = event_item(ctx, item)
    await record_event(uow, topic, payload, subject_type="article")
    after = _states(item)
    published = any(state == "published" and before.get(locale) != "published" for locale, state in after.items())
    unpublished = any(state == "published" and after.get(locale) != "published" for locale, state in before.items())
    if published:
        await record_event(uow, "article.published", payload, subject_type="article")
    if unpublished:
        await record_event(uow, "article.unpublished", payload, subject_type="article")


async def create(uow: UnitOfWork, data: ArticleRequest) -> ArticleOut:
    ctx = await context(uow)
    default = ctx.locales[0]
    inputs = _locale_inputs(data, default)
    parents = await _parents(uow, data)
    folder_id = await check_folder(uow, data.folder_id)
    now = clock.now()
    article_id = await storage.insert_article(
        uow,
        {
            "default_locale": default,
            "folder_id": folder_id,
            "ai_agent_availability": data.ai_chatbot_availability is not False,
            "ai_copilot_availability": data.ai_copilot_availability is not False,
            "created_at": now,
            "updated_at": now,
        },
    )
    await _write_contents(uow, article_id, inputs, {}, default, now)
    await storage.set_parents(uow, article_id, parents or [])
    item = await article(uow, article_id)
    await publish(uow, ctx, item)
    await _announce(uow, ctx, item, {}, "article.created")
    return article_out(ctx, item, statistics=True)


async def update(uow: UnitOfWork, article_id: str, data: ArticleRequest) -> ArticleOut:
    """Partial: what is omitted is unchanged (state included); `translated_content` merges per locale."""
    ctx = await context(uow)
    before = await article(uow, article_id)
    default = before.row["default_locale"]
    inputs = _locale_inputs(data, default)
    parents = await _parents(uow, data)
    now = clock.now()
    values: dict[str, Any] = {"updated_at": now}
    if data.folder_id is not UNSET:
        values["folder_id"] = await check_folder(uow, data.folder_id)
    if data.ai_chatbot_availability is not UNSET:
        values["ai_agent_availability"] = data.ai_chatbot_availability
    if data.ai_copilot_availability is not UNSET:
        values["ai_copilot_availability"] = data.ai_copilot_availability
    await _write_contents(uow, before.id, {k: v for k, v in inputs.items() if _given(v)}, before.contents, default, now)
    await storage.update_article(uow, before.id, values)
    if parents is not None:
        await storage.set_parents(uow, before.id, parents)
    item = await article(uow, before.id)
    await publish(uow, ctx, item)
    await _announce(uow, ctx, item, _states(before), "article.updated")
    return article_out(ctx, item, statistics=True)


def _given(value: LocaleInput) -> bool:
    return any(getattr(value, key) is not UNSET for key in ("title", "description", "body", "author_id", "state"))


async def delete(uow: UnitOfWork, article_id: str) -> DeletedArticle:
    item = await article(uow, article_id)
    await library.remove(uow, library.ARTICLE, item.id)
    await storage.delete_article(uow, item.id)
    deleted = DeletedArticle(id=str(item.id))
    await record_event(uow, "article.deleted", deleted, subject_type="article", subject_id=str(item.id))
    return deleted


# Search.
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
_TAGS = re.compile(r"<[^>]+>")


def _plain(html: str) -> str:
    return " ".join(_TAGS.sub(" ", html).split())


def _stem(word: str) -> str:
    """Plural and verb endings off, so `refunds` finds `refund` and `merging` finds `merge`."""
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> list[str]:
    return [_stem(word) for word in _WORDS.findall(text.lower())]


def _score(terms: list[str], frequencies: dict[str, int], total: int, content: Any) -> float:
    """BM25-like: each query word's rarity among the candidates times its weighted count."""
    title = _stems(content["title"])
    text = _stems(f"{content['description']} {_plain(content['body'])}")
    score = 0.0
    for term in terms:
        count = TITLE_WEIGHT * title.count(term) + text.count(term)
        if count:
            idf = math.log(1 + (total - frequencies.get(term, 0) + 0.5) / (frequencies.get(term, 0) + 0.5))
            score += idf * count * 2.2 / (count + 1.2)
    return score


async def search(
    uow: UnitOfWork,
    phrase: str | None,
    state: str | None,
    help_center_id: int | None,
    highlight: bool | None,
    page: int | None,
    per_page: int | None,
) -> ArticleSearchResponse:
    """Articles whose title, description or body (any locale) hold the phrase's words, best first;
    no phrase: every article in the state, newest first."""
    states = found(SEARCH_STATES.get(state or "all"), invalid("state must be one of published, draft, all", "state"))
    number, size, offset = numbered_page(page, per_page, SEARCH_PER_PAGE, MAX_PER_PAGE)
    terms = list(dict.fromkeys(_stem(term) for term in query_terms(phrase or "")[:32]))
    ctx = await context(uow)
    candidates = await storage.search_candidates(uow, terms, states)
    frequencies = {t: sum(1 for c in candidates if t in _stems(_haystack(c))) for t in terms}
    best: dict[int, tuple[float, int]] = {}
    for content in candidates:
        score = _score(terms, frequencies, len(candidates), content) if terms else 0.0
        if terms and score <= 0:
            continue
        article_id = int(content["article_id"])
        current = best.get(article_id)
        if current is None or score > current[0]:
            best[article_id] = (score, int(content["updated_at"]))
    ids = list(best)
    if help_center_id is not None:
        parents = await storage.parents_of(uow, ids)
        ids = [i for i in ids if int(ctx.help_center_of(parents[i])["id"]) == help_center_id]
    ids.sort(key=lambda i: (-best[i][0], -best[i][1], -i))
    chosen = ids[offset : offset + size]
    rows = {int(r["id"]): r for r in await storage.list_articles(uow, chosen, 0, len(chosen) or 1)}
    items = await load(uow, [rows[i] for i in chosen if i in rows])
    highlights = [_highlights(item, terms) for item in items] if highlight else []
    return ArticleSearchResponse(
        total_count=len(ids),
        data=ArticleSearchData(
            articles=[article_out(ctx, item, statistics=False) for item in items], highlights=highlights
        ),
        pages=numbered_pages(number, size, len(ids)),
    )


def _haystack(content: Any) -> str:
    return f"{content['title']} {content['description']} {_plain(content['body'])}"


def _marked(text: str, terms: list[str]) -> list[HighlightPart]:
    """The text cut into plain and highlighted runs (the query's words)."""
    parts: list[HighlightPart] = []
    position = 0
    wanted = set(terms)
    for match in _WORDS.finditer(text):
        if _stem(match.group().lower()) not in wanted:
            continue
        if match.start() > position:
            parts.append(HighlightPart(type="plain", text=text[position : match.start()]))
        parts.append(HighlightPart(type="highlight", text=match.group()))
        position = match.end()
    if position < len(text) or not parts:
        parts.append(HighlightPart(type="plain", text=text[position:]))
    return parts


def _highlights(item: Article, terms: list[str]) -> ArticleHighlights:
    main = item.main
    summary = [s for s in (main["description"], " ".join(_plain(main["body"]).split()[:SUMMARY_WORDS])) if s]
    return ArticleHighlights(
        article_id=str(item.id),
        highlighted_title=_marked(main["title"], terms),
        highlighted_summary=[_marked(text, terms) for text in summary],
    )
