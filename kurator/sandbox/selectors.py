"""What of the sandbox one person sees (R-ORG-1): the communities, channels, tokens, bots, faults and
ledger entries of the library networks they belong to. The operator sees everything, including what
belongs to no network (objects made by hand in the admin, or by tests): nobody else can tell whose such
an object is, so nobody else is shown it. Outside a person's scope an object is "not found".

The sandbox's network APIs (vk_api, tg_api) do not come through here: like VK and Telegram, they know
a token, not a Kurator login."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kurator.accounts.access import Access, access_of
from kurator.sandbox.choices import Network, TgChatType
from kurator.sandbox.ledger import DIALOG_KEY
from kurator.sandbox.models import Fault, LedgerEntry, TgBot, TgChat, VkCommunity, VkToken


def _networks(user: object) -> frozenset[int] | None:
    """The library networks whose sandbox objects the person sees; None: all (the operator)."""
    access = access_of(user)
    return None if access.is_operator else access.network_ids


def _kept_networks(access: Access) -> frozenset[int] | None:
    """The networks whose secrets (tokens) and whose sandbox a person may break on purpose: those they
    oversee (the curator, the administration), as they keep the registry; None: all (the operator)."""
    return None if access.is_operator else access.overseen_network_ids


def communities_visible_to(user: object) -> QuerySet[VkCommunity]:
    networks = _networks(user)
    found = VkCommunity.objects.all()
    return found if networks is None else found.filter(network_id__in=networks)


def chats_visible_to(user: object) -> QuerySet[TgChat]:
    """Channels and discussion groups of the person's networks, and readers' private dialogs with the
    networks' bots: a dialog has no network of its own, it is its bot's."""
    networks = _networks(user)
    found = TgChat.objects.all()
    if networks is None:
        return found
    dialog_of_ours = Q(type=TgChatType.PRIVATE, network_id__isnull=True, dialog_bot__network_id__in=networks)
    return found.filter(Q(network_id__in=networks) | dialog_of_ours)


def channels_visible_to(user: object) -> QuerySet[TgChat]:
    return chats_visible_to(user).filter(type=TgChatType.CHANNEL)


def vk_tokens_visible_to(user: object) -> QuerySet[VkToken]:
    networks = _kept_networks(access_of(user))
    found = VkToken.objects.all()
    return found if networks is None else found.filter(network_id__in=networks)


def bots_visible_to(user: object) -> QuerySet[TgBot]:
    networks = _kept_networks(access_of(user))
    found = TgBot.objects.all()
    return found if networks is None else found.filter(network_id__in=networks)


def faults_visible_to(user: object) -> QuerySet[Fault]:
    """The faults on the person's networks, and those the operator put on the whole sandbox: such a
    fault hits every network's requests, so everybody must be able to see why theirs fail."""
    networks = _networks(user)
    found = Fault.objects.all()
    if networks is None:
        return found
    whole_sandbox = Q(network_id__isnull=True, token="", place="")
    return found.filter(Q(network_id__in=networks) | whole_sandbox)


def faults_changeable_by(user: object) -> QuerySet[Fault]:
    """The faults a person may clear: those on the networks they oversee (the operator: all). Whether
    they may break the sandbox at all is permissions.may_change_sandbox."""
    networks = _kept_networks(access_of(user))
    found = Fault.objects.all()
    return found if networks is None else found.filter(network_id__in=networks)


def ledger_visible_to(user: object) -> QuerySet[LedgerEntry]:
    """Ledger entries by their place: a VK community's owner id or a Telegram chat's id."""
    if _networks(user) is None:
        return LedgerEntry.objects.all()
    vk_places = [str(-group_id) for group_id in communities_visible_to(user).values_list("group_id", flat=True)]
    chats = chats_visible_to(user)
    tg_places = [str(chat_id) for chat_id in chats.exclude(type=TgChatType.PRIVATE).values_list("chat_id", flat=True)]
    # A private chat's place, the reader's id, is shared by the reader's dialogs with every bot: an entry
    # there is a network's by the dialog's bot, which the entry names.
    dialog_bots = list(chats.filter(type=TgChatType.PRIVATE).values_list("dialog_bot__user_id", flat=True).distinct())
    in_own_dialog = Q(network=Network.TELEGRAM, **{f"payload__{DIALOG_KEY}__in": dialog_bots})
    return LedgerEntry.objects.filter(
        Q(network=Network.VK, place__in=vk_places) | Q(network=Network.TELEGRAM, place__in=tg_places) | in_own_dialog
    )
