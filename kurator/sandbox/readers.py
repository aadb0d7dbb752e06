"""Simulated readers (issue 4 item 5): realistic reader activity, in Russian, on the sandbox pages.

An activity is planned first, then played: `plan_activity(seed=…, count=…)` draws every choice (the kind,
the page and post, the reader, the words) from one `random.Random(seed)`, so the same seed and the same
sandbox give the same sequence; `play(actions)` carries each one out through `reader_actions`, the same
functions a trainer's clicks use, so the ledger and the network events see simulated readers exactly as
they see real ones."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import timezone

from kurator.sandbox import reader_actions
from kurator.sandbox.choices import Network, TgChatType
from kurator.sandbox.models import Reader, TgMembership, TgMessage, VkPost


class ActivityKind(StrEnum):
    VIEW = "view"
    LIKE = "like"
    REPOST = "repost"
    QUESTION = "question"
    RENEWAL = "renewal"
    BOOKING = "booking"
    CREDENTIALS = "credentials"  # virtual reading room logins
    PRAISE = "praise"
    CRITICISM = "criticism"
    INSULT = "insult"
    SPAM = "spam"
    ADVERTISING = "advertising"


# How often each kind happens: readers mostly look and like; a few ask; fewer complain, spam or insult.
WEIGHTS: dict[ActivityKind, int] = {
    ActivityKind.VIEW: 24,
    ActivityKind.LIKE: 14,
    ActivityKind.REPOST: 5,
    ActivityKind.QUESTION: 10,
    ActivityKind.RENEWAL: 7,
    ActivityKind.BOOKING: 6,
    ActivityKind.CREDENTIALS: 5,
    ActivityKind.PRAISE: 8,
    ActivityKind.CRITICISM: 7,
    ActivityKind.INSULT: 3,
    ActivityKind.SPAM: 4,
    ActivityKind.ADVERTISING: 5,
}

# Requests are as often written privately as under a post; the rest is said in public.
PRIVATE_SHARE: dict[ActivityKind, float] = {
    ActivityKind.QUESTION: 0.4,
    ActivityKind.RENEWAL: 0.6,
    ActivityKind.BOOKING: 0.5,
    ActivityKind.CREDENTIALS: 0.7,
    ActivityKind.PRAISE: 0.1,
    ActivityKind.CRITICISM: 0.3,
    ActivityKind.INSULT: 0.1,
    ActivityKind.SPAM: 0.3,
    ActivityKind.ADVERTISING: 0.3,
}

BOOKS = [
    "Мастер и Маргарита",
    "Преступление и наказание",
    "Война и мир",
    "Мёртвые души",
    "Капитанская дочка",
    "Отцы и дети",
    "Герой нашего времени",
    "Двенадцать стульев",
    "Собачье сердце",
    "Тихий Дон",
    "Евгений Онегин",
    "Обломов",
    "Вишнёвый сад",
    "Белая гвардия",
    "Доктор Живаго",
    "Анна Каренина",
    "Идиот",
    "Горе от ума",
    "Алые паруса",
    "Два капитана",
]
WEEKDAYS_ON = ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу", "в воскресенье"]

TEMPLATES: dict[ActivityKind, list[str]] = {
    ActivityKind.QUESTION: [
        "Работает ли библиотека {day_on}?",
        "Здравствуйте! До скольких вы сегодня открыты?",
        "Подскажите, пожалуйста, как записаться в библиотеку? Какие документы нужны?",
        "А можно записать ребёнка семи лет? Нужно ли присутствие родителей?",
        "Добрый день! Есть ли у вас «{book}»? Очень нужно к экзамену.",
        "Скажите, а мероприятие {day_on} будет? Нужна ли предварительная запись?",
        "Здравствуйте, у вас можно распечатать документы? Сколько стоит страница?",
        "Есть ли в библиотеке бесплатный Wi-Fi?",
        "Подскажите, пожалуйста, где можно оставить книги в дар библиотеке?",
        "А какие кружки для подростков у вас есть в этом году?",
        "Можно ли взять книги домой, если я прописан в другом районе?",
        "Здравствуйте! Сколько книг можно взять за один раз и на какой срок?",
        "Будет ли библиотека работать в праздничные дни?",
        "Есть ли у вас читальный зал, где можно спокойно позаниматься?",
        "Добрый вечер! Подскажите, пожалуйста, как добраться до вашего филиала от вокзала?",
        "Проводите ли вы экскурсии для школьных классов? Как договориться?",
        "А аудиокниги у вас можно взять?",
    ],
    ActivityKind.RENEWAL: [
        "Продлите, пожалуйста, «{book}», читательский билет {card}.",
        "Здравствуйте! Можно продлить книги ещё на две недели? Билет № {card}.",
        "Добрый день! Не успеваю дочитать «{book}», продлите, пожалуйста. Билет {card}.",
        "Прошу продлить срок возврата всех книг по билету {card}, я на больничном.",
        "Здравствуйте, продлите, пожалуйста, «{book}» и «{book2}». Читательский {card}.",
        "Можно продлить книгу онлайн? Билет {card}, книга «{book}».",
        "Продлите «{book}» ещё на неделю, пожалуйста, верну {day_on}. Билет {card}.",
        "Добрый вечер. Просрочил «{book}», извините. Можно продлить? Билет {card}.",
        "Здравствуйте! Продлите, пожалуйста, всё, что у меня на руках. Билет {card}. Спасибо!",
        "Билет {card}. Прошу продлить «{book}», ребёнок ещё читает.",
        "Можно ли продлить книгу второй раз? «{book}», билет {card}.",
        "Продлите, пожалуйста, журналы и «{book}» по билету {card}.",
        "Уезжаю в командировку, продлите, пожалуйста, «{book}» на месяц. Билет {card}.",
        "Здравствуйте! Напишите, пожалуйста, до какого числа у меня «{book}»? Билет {card}. И продлите, если можно.",
        "Добрый день, продлите книги по билету {card}, заранее благодарю.",
        "Продлите мне «{book}», пожалуйста, билет {card}. Верну {day_on}.",
    ],
    ActivityKind.BOOKING: [
        "Можно забронировать «{book}»? Заберу {day_on}. Билет {card}.",
        "Здравствуйте! Отложите, пожалуйста, «{book}», читательский билет {card}.",
        "Добрый день! Хочу записаться в очередь на «{book}». Билет {card}.",
        "Забронируйте, пожалуйста, «{book}» и «{book2}», приду после работы.",
        "Можно ли заказать «{book}» из другого филиала? Билет {card}.",
        "Отложите «{book}», пожалуйста, заберу {day_on}.",
        "Здравствуйте, хочу забронировать место на мероприятие {day_on}, нас будет трое.",
        "Запишите, пожалуйста, на громкие чтения ребёнка, 8 лет.",
        "Есть ли свободный экземпляр «{book}»? Если да — забронируйте на билет {card}.",
        "Можно забронировать компьютер в читальном зале {day_on} на два часа?",
        "Здравствуйте! Оставьте мне, пожалуйста, «{book}», я подойду завтра. Билет {card}.",
        "Хочу записаться на мастер-класс. Места ещё есть?",
        "Бронирую «{book}», билет {card}. Сколько дней книга будет лежать?",
        "Добрый день, можно заказать «{book}» по межбиблиотечному абонементу?",
        "Запишите меня в клуб любителей чтения, пожалуйста. Билет {card}.",
        "Отложите, пожалуйста, для школы пять экземпляров «{book}», учитель литературы.",
    ],
    ActivityKind.CREDENTIALS: [
        "Здравствуйте! Как получить логин и пароль от виртуального читального зала? Билет {card}.",
        "Не могу войти в виртуальный читальный зал, пароль не подходит. Билет {card}.",
        "Добрый день! Пришлите, пожалуйста, доступ к электронной библиотеке, билет {card}.",
        "Как подключиться к ЛитРес через библиотеку? Мой билет {card}.",
        "Забыла пароль от электронного читального зала, помогите восстановить. Билет {card}.",
        "Здравствуйте, нужен доступ к Национальной электронной библиотеке, к кому обратиться?",
        "Можно получить доступ к электронным книгам удалённо? Я не могу прийти. Билет {card}.",
        "Выдайте, пожалуйста, логин для виртуального читального зала, я студент, билет {card}.",
        "Доступ к электронной библиотеке перестал работать, пишет «срок действия истёк». Билет {card}.",
        "Как продлить доступ к электронным ресурсам? Билет {card}.",
        "Подскажите, работает ли виртуальный читальный зал на телефоне?",
        "Здравствуйте! Мне сказали, что пароль пришлют сюда. Билет {card}.",
        "Можно получить код доступа к электронной библиотеке для ребёнка? Билет {card}.",
        "Не пришло письмо с паролем от читального зала, проверьте, пожалуйста. Билет {card}.",
        "Где ввести код из библиотеки, чтобы читать онлайн? Билет {card}.",
        "Здравствуйте! Хочу пользоваться электронным залом из дома, что для этого нужно?",
    ],
    ActivityKind.PRAISE: [
        "Спасибо за чудесный вечер! Очень душевно.",
        "Лучшая библиотека в городе, спасибо вашим сотрудникам!",
        "Отличная подборка, уже взяла почитать «{book}».",
        "Какие вы молодцы! Ребёнок в восторге от занятия.",
        "Спасибо, что так быстро ответили и помогли с книгой!",
        "Замечательная выставка, обязательно придём ещё.",
        "Очень уютно у вас стало после ремонта, приятно прийти.",
        "Благодарю библиотекарей за терпение и доброжелательность!",
        "Спасибо за громкие чтения, дочка теперь сама просит книги.",
        "Прекрасная идея с книжным клубом, жду следующей встречи!",
        "Нашла у вас книгу «{book}», которую давно искала. Спасибо!",
        "Так приятно, что библиотека жива и развивается. Спасибо вам!",
        "Спасибо за экскурсию, класс остался очень доволен.",
        "Вы делаете большое дело. Спасибо!",
        "Отличный пост, интересно было почитать 👍",
        "Обожаю вашу библиотеку ❤️",
    ],
    ActivityKind.CRITICISM: [
        "Третий раз прихожу, а библиотека закрыта в часы работы. Что происходит?",
        "Почему на сайте одно расписание, а на двери другое?",
        "Неделю назад писала в сообщения, до сих пор никто не ответил.",
        "Книги в детском отделе в ужасном состоянии, обновите фонд.",
        "Очень холодно в читальном зале, сидеть невозможно.",
        "Библиотекарь была со мной груба, когда я задала вопрос. Неприятно.",
        "Вы обещали продлить книгу, а мне пришло напоминание о просрочке.",
        "Мероприятие отменили, а предупредить забыли. Мы зря приехали.",
        "Почему нельзя продлить книги онлайн? На дворе XXI век.",
        "Wi-Fi в библиотеке не работает уже месяц.",
        "Записалась на мастер-класс, а меня не оказалось в списке.",
        "Слишком мало новых книг, одно и то же годами.",
        "На звонки никто не отвечает, дозвониться невозможно.",
        "Пандуса у входа нет, с коляской не попасть. Сколько можно?",
        "Очередь на «{book}» уже два месяца, купите ещё экземпляры.",
        "Жалоба: в субботу библиотека открылась на час позже, чем написано.",
    ],
    ActivityKind.INSULT: [
        "Вы там вообще работаете или только посты пишете?",
        "Бездельники, только деньги налогоплательщиков тратите.",
        "Что за убогий пост, позорище.",
        "Библиотека — пережиток прошлого, закрыть вас давно пора.",
        "Админ, ты вообще читать умеешь?",
        "Бестолковые, опять ничего не работает.",
        "Сидите там, штаны протираете.",
        "Кому нужна ваша макулатура?",
        "Ну и дыра, ноги моей там больше не будет.",
        "Какой бездарь это написал?",
        "Тупые посты для тупых людей.",
        "Да вы издеваетесь! Хамы и лентяи.",
        "Стыдно должно быть за такую работу, неумехи.",
        "Опять эти ваши никому не нужные мероприятия для галочки.",
        "Позорище, а не библиотека.",
    ],
    ActivityKind.SPAM: [
        "Заработок от 5000 в день без вложений! Пиши в личку",
        "Лучшие ставки на спорт, бонус за регистрацию!!! ссылка в профиле",
        "Подпишись на мой канал, взаимная подписка 100%",
        "🔥🔥🔥 Выиграй айфон, переходи по ссылке в профиле 🔥🔥🔥",
        "Работа на дому, 2 часа в день, доход от 80 000. Подробности в ЛС",
        "Кто хочет быстро похудеть — пишите, поделюсь секретом",
        "Раскрутка групп и страниц, недорого, гарантия",
        "Вам одобрен кредит! Заберите деньги по ссылке",
        "Продам аккаунт, дёшево, пишите",
        "Накрутка лайков и подписчиков, 1000 за 99 рублей",
        "Легальное казино, первый депозит удваиваем!!!",
        "Бесплатные курсы криптовалюты, места ограничены",
        "Пишите в личку, есть интересное предложение для всех",
        "Хочешь пассивный доход? Подписывайся!",
        "Акция!!! Только сегодня!!! Переходи по ссылке!!!",
    ],
    ActivityKind.ADVERTISING: [
        "Натяжные потолки за один день, скидка 20% подписчикам группы!",
        "Ремонт квартир под ключ, звоните, недорого.",
        "Продаю детские книги пачкой, почти новые, самовывоз.",
        "Доставка роллов по району, при заказе от 1000 рублей — напиток в подарок.",
        "Репетитор по английскому, онлайн и очно, первое занятие бесплатно.",
        "Открылся новый маникюрный салон рядом с библиотекой, ждём вас!",
        "Куплю старые книги и открытки, дорого.",
        "Шиномонтаж круглосуточно, без очереди.",
        "Курсы подготовки к ЕГЭ, набор открыт, пишите в личные сообщения.",
        "Продаётся гараж в центре, недорого, торг.",
        "Грузоперевозки по городу и области, грузчики.",
        "Студия танцев приглашает детей от 4 лет, пробное занятие бесплатно.",
        "Ремонт телефонов и ноутбуков за час, гарантия.",
        "Свежий мёд с пасеки, доставка по городу.",
        "Печать фотографий и документов, рядом с вашей библиотекой.",
        "Уборка квартир и офисов, качественно и недорого.",
    ],
}

TG_EMOJI = ["👍", "❤", "🔥", "👏", "🥰", "😁", "🤔", "😢"]
TEXT_KINDS = frozenset(TEMPLATES)


def reader_text(kind: ActivityKind, rng: random.Random) -> str:
    """One text of the kind, with its blanks (books, card, weekday) drawn from the same generator."""
    template = rng.choice(TEMPLATES[kind])
    book, book2 = rng.sample(BOOKS, 2)
    return template.format(book=book, book2=book2, card=rng.randint(10000, 99999), day_on=rng.choice(WEEKDAYS_ON))


def complaint_text(rng: random.Random | None = None) -> str:
    """A prefilled complaint about the library's work, for a trainer who acts as a displeased reader."""
    return reader_text(ActivityKind.CRITICISM, rng or random.Random())


@dataclass(frozen=True)
class PlannedAction:
    kind: ActivityKind
    network: str
    target: str  # "vk:<owner_id>_<post_id>", "vk:<owner_id>" (a message), "tg:<chat_id>/<message_id>", "tg:@<bot>"
    reader_id: int
    text: str = ""
    emoji: str = ""
    views: int = 0


@dataclass
class Targets:
    """What the readers can reach, in a fixed order so that a seed always picks the same things."""

    vk_posts: list[VkPost] = field(default_factory=list)
    tg_posts: list[TgMessage] = field(default_factory=list)
    tg_bots: dict[int, str] = field(default_factory=dict)  # channel chat_id → a bot administering it
    readers: list[Reader] = field(default_factory=list)


def current_targets(network: str | None = None, *, posts_per_page: int = 5) -> Targets:
    """The newest few posts of every sandbox page: readers react to what is fresh on the wall."""
    now = timezone.now()
    targets = Targets(readers=list(Reader.objects.filter(simulated=True).order_by("pk")))
    if network in (None, Network.VK):
        by_wall: dict[int, int] = {}
        for post in (
            VkPost.objects.filter(deleted_at__isnull=True, postponed=False, date__lte=now)
            .select_related("community")
            .order_by("community__group_id", "-date", "-post_id")
        ):
            if by_wall.get(post.community_id, 0) < posts_per_page:
                by_wall[post.community_id] = by_wall.get(post.community_id, 0) + 1
                targets.vk_posts.append(post)
    if network in (None, Network.TELEGRAM):
        by_channel: dict[int, int] = {}
        for channel_post in (
            TgMessage.objects.filter(chat__type=TgChatType.CHANNEL, deleted_at__isnull=True)
            .select_related("chat")
            .order_by("chat__chat_id", "-message_id")
        ):
            if by_channel.get(channel_post.chat_id, 0) < posts_per_page:
                by_channel[channel_post.chat_id] = by_channel.get(channel_post.chat_id, 0) + 1
                targets.tg_posts.append(channel_post)
        for membership in (
            TgMembership.objects.filter(chat__type=TgChatType.CHANNEL, status="administrator")
            .select_related("bot", "chat")
            .order_by("chat__chat_id", "bot__user_id")
        ):
            targets.tg_bots.setdefault(membership.chat.chat_id, membership.bot.username)
    return targets


def plan_activity(*, seed: int, count: int, targets: Targets) -> list[PlannedAction]:
    """`count` reader actions drawn from `random.Random(seed)`: the same seed and targets, the same plan."""
    rng = random.Random(seed)
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    networks = [n for n, posts in ((Network.VK, targets.vk_posts), (Network.TELEGRAM, targets.tg_posts)) if posts]
    if not networks or not targets.readers:
        return []
    plan = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        network = rng.choice(networks)
        reader = rng.choice(targets.readers)
        private = kind in TEXT_KINDS and rng.random() < PRIVATE_SHARE[kind]
        text = reader_text(kind, rng) if kind in TEXT_KINDS else ""
        if network == Network.VK:
            post = rng.choice(targets.vk_posts)
            target = f"vk:{post.community.owner_id}" if private else f"vk:{post.community.owner_id}_{post.post_id}"
        else:
            channel_post = rng.choice(targets.tg_posts)
            bot = targets.tg_bots.get(channel_post.chat.chat_id, "")
            target = f"tg:@{bot}" if private and bot else f"tg:{channel_post.chat.chat_id}/{channel_post.message_id}"
        plan.append(
            PlannedAction(
                kind=kind,
                network=network,
                target=target,
                reader_id=reader.pk,
                text=text,
                emoji=rng.choice(TG_EMOJI) if kind in (ActivityKind.LIKE, ActivityKind.REPOST) else "",
                views=rng.randint(1, 15) if kind == ActivityKind.VIEW else 0,
            )
        )
    return plan


def _vk_post(target: str) -> VkPost | None:
    owner, _sep, post_id = target.removeprefix("vk:").partition("_")
    return (
        VkPost.objects.select_related("community").filter(community__group_id=-int(owner), post_id=int(post_id)).first()
    )


def _tg_post(target: str) -> TgMessage | None:
    chat_id, _sep, message_id = target.removeprefix("tg:").partition("/")
    return (
        TgMessage.objects.select_related("chat").filter(chat__chat_id=int(chat_id), message_id=int(message_id)).first()
    )


def play_one(action: PlannedAction) -> bool:
    """Carry out one planned action; False when the network refused it (a ban, a deleted post) or the
    target is gone."""
    from kurator.sandbox.models import TgBot, VkCommunity

    reader = Reader.objects.filter(pk=action.reader_id).first()
    if reader is None:
        return False
    try:
        if action.target.startswith("vk:") and "_" not in action.target:
            community = VkCommunity.objects.filter(group_id=-int(action.target.removeprefix("vk:"))).first()
            if community is None:
                return False
            reader_actions.reader_writes_vk(community, reader, action.text)
        elif action.target.startswith("tg:@"):
            bot = TgBot.objects.filter(username=action.target.removeprefix("tg:@")).first()
            if bot is None:
                return False
            reader_actions.reader_writes_tg(bot, reader, action.text)
        elif action.network == Network.VK:
            post = _vk_post(action.target)
            if post is None:
                return False
            if action.kind == ActivityKind.VIEW:
                reader_actions.reader_views_vk(post, action.views)
            elif action.kind == ActivityKind.LIKE:
                reader_actions.reader_likes_vk(post, reader)
            elif action.kind == ActivityKind.REPOST:
                reader_actions.reader_reposts_vk(post, reader)
            else:
                reader_actions.reader_comments_vk(post, reader, action.text)
        else:
            channel_post = _tg_post(action.target)
            if channel_post is None:
                return False
            if action.kind == ActivityKind.VIEW:
                reader_actions.reader_views_tg(channel_post, action.views)
            elif action.kind in (ActivityKind.LIKE, ActivityKind.REPOST):
                # A channel has no likes and the Bot API shows no forwards: both become a reaction.
                reader_actions.reader_reacts_tg(channel_post, action.emoji)
            else:
                reader_actions.reader_comments_tg(channel_post, reader, action.text)
    except reader_actions.ReaderActionRefused:
        return False
    return True


def play(actions: list[PlannedAction]) -> int:
    """Carry out the actions in order; the number the networks accepted."""
    return sum(play_one(action) for action in actions)


def simulate(*, seed: int, count: int, network: str | None = None) -> tuple[list[PlannedAction], int]:
    """Plan and play `count` actions at once (the background job, tests, `--once`)."""
    from kurator.sandbox.demo import ensure_readers

    if not Reader.objects.filter(simulated=True).exists():
        ensure_readers()
    plan = plan_activity(seed=seed, count=count, targets=current_targets(network))
    return plan, play(plan)
