"""A small sandbox VK world for the VK tests: one community with an administrator's user token and a
community token, a second community the administrator does not manage, and two readers."""

from __future__ import annotations

from dataclasses import dataclass

from kurator.sandbox.choices import VkTokenKind
from kurator.sandbox.models import Reader, VkCommunity, VkToken

ADMIN_VK_ID = 500100


@dataclass
class VkWorld:
    community: VkCommunity
    other: VkCommunity
    user_token: VkToken
    community_token: VkToken
    reader: Reader
    second_reader: Reader

    @property
    def owner_id(self) -> int:
        return self.community.owner_id


def make_vk_world() -> VkWorld:
    community = VkCommunity.objects.create(group_id=7001, name="Библиотека имени Гайдара", screen_name="gaidar_lib")
    other = VkCommunity.objects.create(group_id=7002, name="Соседняя библиотека", screen_name="other_lib")
    user_token = VkToken.objects.create(
        token="vk1.a.user-admin-token", kind=VkTokenKind.USER, user_id=ADMIN_VK_ID, label="admin"
    )
    user_token.admin_of.add(community)
    community_token = VkToken.objects.create(
        token="vk1.a.community-token", kind=VkTokenKind.COMMUNITY, community=community, label="community"
    )
    reader = Reader.objects.create(name="Анна Читалкина", vk_id=800001, tg_id=900001)
    second_reader = Reader.objects.create(name="Борис Книжкин", vk_id=800002, tg_id=900002)
    return VkWorld(community, other, user_token, community_token, reader, second_reader)
