"""A person's own code by the column's name: a PIN, a badge number.

Odoo's `hr_employee.pin` (the digits an employee types at the attendance kiosk or the
till) and `hr_employee.barcode` (the badge id, unique per company) were kept. A name
that is `pin` or ends in it (`pin`, `pin_code`, `card_pin`, `user_pin`) is such a code;
`pinned`, `is_pinned`, `spinner` hold no word `pin`, and a word after it (`pin_count`,
`pin_color`, `pin_x`) makes the name about something else. A badge number is one by
name anywhere (`badge_number`), or as a `barcode` or `badge` in a table about people
(a product's barcode is nobody's). India's `pin_code` is a postcode: masked alike.
An insurance policy, member or student number and a patient's chart number (OpenEMR's
insurance_data.policy_number, patient_data.pubpid, a `medical_record_number`) identify
a person as well: codes by the same ending. So does `identifier` in a table of people's
identifiers (OpenMRS's `patient_identifier.identifier`, '100-8', the id printed on the
patient's card, was kept; a product's identifier is nobody's).

Decision: such a code is masked with `digits` (unique: true on a unique column): every
digit replaced by a keyed one, its length and any letters or separators kept, so the
application's own check (Odoo: a PIN is digits only) still passes. Only in text
columns: a number named `pin` is as often a board's or a map's pin, and a boolean one a
pinned flag. A sample in which no value has three digits denies the name.
"""

from __future__ import annotations

import re

KIND = "personal_code"
LABEL = "a personal code (PIN, badge, policy, chart, student or employee number)"
# ends the name: `pin`, `pin_code`, `employee_pin`, `badge_number`
_CODE_ENDING = re.compile(
    r"(?:^|_)(?:pin|pincode|pin_code|pin_number|pin_no|pin_nr|badge_number|badge_no|"
    r"badge_nr|badge_code|badgenumber|"
    r"policy_number|policy_no|policy_num|policy_nr|policynumber|policy_numbers|"
    r"member_number|member_no|membership_number|membership_no|subscriber_number|"
    r"insurance_number|insurance_no|chart_number|chart_no|chartnumber|pubpid|mrn|"
    r"medical_record_number|medical_record_no|medical_record_num|"
    # a school's or university's number for its student (Moodle's 'Student number'
    # profile field, '202300010'; Germany's Matrikelnummer)
    r"student_number|student_no|studentnumber|matriculation_number|matriculation_no|"
    r"matrikelnummer|matrikel_nr|enrolment_number|enrollment_number|"
    # the id a student information system or HR gives a person (Canvas's
    # pseudonyms.sis_user_id 'S1000123'), an employee's or staff number
    r"sis_user_id|sis_person_id|sis_student_id|student_id_number|employee_number|"
    r"employee_no|employee_nr|employeenumber|staff_number|staff_no|personnel_number|"
    r"personnel_no|personalnummer)$"
)
# the whole name, in a table about people: Odoo's hr_employee.barcode is the badge id,
# res_partner.barcode a customer's loyalty card
_PERSON_CODES = frozenset({"barcode", "badge", "badge_id", "badgeid"})
_PARTNERS = re.compile(r"(?:^|_)partners?(?:_|$)")
_IDENTIFIERS = re.compile(r"_identifiers?$")  # patient_identifier, person_identifier


def match(norm: str, table: str, person_table: bool) -> str | None:
    """Why a normalized column name is a personal code (a reason), or None; `table` is
    the normalized table name, `person_table` whether it is about people."""
    if _CODE_ENDING.search(norm):
        return f"name suggests {LABEL}"
    if norm in _PERSON_CODES and (person_table or _PARTNERS.search(table)):
        return f"`{norm}` in a table about people: a badge or card number"
    if norm == "identifier" and person_table and _IDENTIFIERS.search(table):
        return "`identifier` in a table of people's identifiers: a patient's or person's id"
    return None


def leading_words(norm: str) -> set[str]:
    """The words of a code's name before its ending (`policy` is part of
    `policy_number`, not a word that makes the name about something else)."""
    found = _CODE_ENDING.search(norm)
    return set((norm[: found.start()] if found else norm).split("_")) - {""}


def could_be(value: str) -> bool:
    """A sampled value that could be such a code: it has three digits at least (a
    `pin` holding 'top' or a GPIO pin '13' is none)."""
    return sum(c.isdigit() for c in value) >= 3


# Value kinds that are digits too: a code's values may look like them by chance.
_DIGIT_KINDS = frozenset({"phone", "card", "national_id", "iban"})


def digits_alike(named: str, found: str) -> bool:
    """Whether values of kind `found` are no evidence against a personal code."""
    return named == KIND and found in _DIGIT_KINDS
