"""The demo shows life in the content plan: rubrics of the working group and next week's posts."""

from django.core.management import call_command

from kurator.planning.models import Post, Rubric


def test_the_demo_plans_rubrics_and_next_weeks_posts_once(db):
    call_command("load_demo", verbosity=0)
    rubrics, posts = Rubric.objects.count(), Post.objects.count()
    assert rubrics == 4 and posts == 3
    assert set(Rubric.objects.values_list("hashtag", flat=True)) >= {"#бюроизобретений", "#древняядичь"}
    assert Post.objects.get(title="Как продлить книги через личный кабинет").variants.count() == 2
    call_command("load_demo", verbosity=0)
    assert (Rubric.objects.count(), Post.objects.count()) == (rubrics, posts)
