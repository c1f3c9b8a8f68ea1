"""The text of a new story file: every field present, with a comment on how to fill it."""

from __future__ import annotations

import json

from storybank.models import Language

TEMPLATE = """\
---
id: {id}
title: {title}
summary: ""                      # one sentence: what happens, without graphic detail
language: {language}                     # en or es
status: draft                    # draft | in-review | published | retired
themes: []                       # ids from `storybank themes`, e.g. [relapse, hope]
content_warnings: []             # suicide, self-harm, overdose, violence, sexual-violence,
                                 # child-abuse, death, incarceration; [] when none
storyteller:
  attribution: anonymous         # named | first-name | pseudonym | anonymous
  display_name: null             # the name the teller agreed to; null when anonymous
  age_range: null                # e.g. 30-39, or under-18 (then guardian_form_ref is required)
  pronouns: null                 # e.g. she/her
  recovery_since: null           # a year, e.g. 2016
what_helped: []                  # practical things that helped, in the teller's words
consent:
  form_ref: ""                   # reference of the signed consent form (never the form itself)
  given_on: null                 # the date on the signed form, YYYY-MM-DD
  purposes: []                   # read, share, handout, public, training, research
  expires_on: null               # the first day consent is no longer valid; null: until withdrawn
  withdrawn_on: null             # set when the storyteller withdraws
  text_approved_on: null         # the day the teller approved the final text
  text_approved_sha256: null     # filled in by `storybank approve`
  guardian_form_ref: null        # required when the age range starts below 18
  history: []                    # e.g. - {{date: 2024-03-02, event: given, purposes: [read], by: staff-12}}
---
"""


def new_story_text(story_id: str, *, title: str | None = None, language: Language = Language.EN) -> str:
    """A draft story file that `storybank check` will flag until every consent field is filled."""
    title = title or story_id.replace("-", " ").capitalize()
    return TEMPLATE.format(id=story_id, title=json.dumps(title, ensure_ascii=False), language=language)
