"""Roster filing (学员名单备案, DOMAIN.md §9): the second kind of filing with the bureau."""
