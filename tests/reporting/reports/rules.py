"""Checks shared by the tests of the access functions."""


def assert_rule_agrees_with_query(users, objects, *, query, rule) -> None:
    """For every user, the objects `rule(user, obj)` lets through are exactly those `query(user)`
    (a queryset) returns, and the users do not all see the same number: the comparison says something."""
    sizes = set()
    for user in users:
        by_query = set(query(user).values_list("pk", flat=True))
        by_rule = {obj.pk for obj in objects if rule(user, obj)}
        assert by_rule == by_query, user.username
        sizes.add(len(by_query))
    assert len(sizes) > 2
