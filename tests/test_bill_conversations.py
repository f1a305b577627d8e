"""The bill paths of a conversation, through the real graph on the embedded default.

Real reader (pypdf + OCR), real MCP servers, real SQLite; bills are generated PDFs. Paths: good
read, weak read → one tip → specialist offered, typed amount as a fallback, wrong documents,
a bill in two pages merged inside the window (and not after it), amount far from what the lead
said, file retention.
"""

from __future__ import annotations

import io
import random
import re
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytest

import demo.bill_layouts as layouts
from agent.state import Stage
from demo.bill_specs import random_bill_spec
from demo.sample_bills import _plain_pdf, image_only_pdf, not_a_bill_pdf, render_bill_pdf
from tests.conftest import MARIA, make_settings
from tests.test_conversations import bill_pdf, reach_plans, send_file
from wiring import Silvia, open_silvia

_BRAND = re.compile(r"neoenergia|companhia|celpe|distribui", re.IGNORECASE)
CUT_MM = 90  # the page is cut here: the top has the distributor, the bottom the consumption


def bill_part(top: bool, total: float = 412.37) -> bytes:
    """One half of a generated bill, as if photographed in two parts (front and back)."""
    spec = random_bill_spec(
        random.Random(3),
        distributor="Neoenergia Pernambuco",
        customer_name="Maria Oliveira",
        city="Recife",
        total_amount=total,
        consumer_class="residencial",
    )
    original = layouts._Page.put

    def put(self: layouts._Page, x: float, y: float, text: str, size: float = 8, bold: bool = False) -> None:
        # The second part repeats no letterhead: only the two together name the distributor.
        if (y < CUT_MM) == top and (top or not _BRAND.search(text)):
            original(self, x, y, text, size, bold)

    with patch.object(layouts._Page, "put", put):
        return render_bill_pdf(spec)


def garbled_bill_pdf() -> bytes:
    """Words of a bill but no field a reader can anchor on (what a tilted photo OCRs to)."""
    return _plain_pdf(
        [
            "CONTA DE ENERGIA ELETRICA  -  DOCUMENTO AUXILIAR DA NOTA FISCAL",
            "Consumo kWh   leitura   medidor   tarifa   bandeira   TUSD   ilumina",
            "Unidade consumidora   instalacao   periodo   vencim   ...   ...",
            "Observacoes: R$ l,3l   q7o   ---   ,,,   ~~~   ###",
            "Parcelamento de debitos  R$ 0,80  (mensagem da distribuidora)",
        ]
    )


def water_bill_pdf() -> bytes:
    return _plain_pdf(
        [
            "COMPESA - Companhia Pernambucana de Saneamento",
            "Conta de água e esgoto - Matrícula 1234567",
            "Consumo de água: 12 m3   Leitura do hidrômetro: 00452",
            "Total a pagar: R$ 96,40   Vencimento: 10/12/2026",
        ]
    )


async def at_document_request(silvia: Silvia, phone: str = MARIA.phone) -> None:
    await reach_plans(silvia, phone)
    result = await silvia.say(phone, "quero o plus")
    assert result.stage == Stage.DOCUMENT_REQUESTED


def templates_of(result) -> list[str]:
    return [r["template_id"] for r in result.replies]


async def test_good_read_goes_on_to_qualification(silvia: Silvia) -> None:
    await at_document_request(silvia)
    result = await send_file(silvia, MARIA.phone, bill_pdf(total=412.37))
    assert result.stage == Stage.HANDED_OFF
    assert templates_of(result) == ["qualification_result.qualified_high", "satisfaction.ask"]
    state = await silvia.state(MARIA.phone)
    assert state["bill"]["total_amount"] == 412.37 and state["bill"]["source"] == "bill"
    assert state["qualification"]["qualified"] and state["serena_lead_id"]


async def test_weak_read_gets_one_tip_then_the_specialist_then_another_tip(silvia: Silvia) -> None:
    await at_document_request(silvia)
    first = await send_file(silvia, MARIA.phone, image_only_pdf())  # nothing legible at all
    assert templates_of(first) == ["bill.retry_light"] and first.stage == Stage.DOCUMENT_REQUESTED
    assert "iluminado" in first.texts[0] and "valor total" in first.texts[0]
    second = await send_file(silvia, MARIA.phone, garbled_bill_pdf())
    assert templates_of(second) == ["bill.offer_human"] and "especialista" in second.texts[0]
    # The lead keeps trying instead: a tip again, never the one already given for that failure.
    third = await send_file(silvia, MARIA.phone, image_only_pdf())
    assert templates_of(third)[0].startswith("bill.retry_") and templates_of(third) != ["bill.retry_light"]
    fourth = await send_file(silvia, MARIA.phone, garbled_bill_pdf())
    assert templates_of(fourth)[0].startswith("bill.retry_")
    state = await silvia.state(MARIA.phone)
    assert state["bill_attempts"] == 4 and state["human_offered"]
    assert len(set(state["bill_tips"])) == len(state["bill_tips"])  # four different tips
    good = await send_file(silvia, MARIA.phone, bill_pdf())
    assert good.stage == Stage.HANDED_OFF


async def test_typed_amount_after_a_weak_read_qualifies_unverified(silvia: Silvia) -> None:
    await at_document_request(silvia)
    early = await silvia.say(MARIA.phone, "minha conta vem uns 400")  # before any try: still the bill
    assert early.stage == Stage.DOCUMENT_REQUESTED
    await send_file(silvia, MARIA.phone, image_only_pdf())
    result = await silvia.say(MARIA.phone, "a conta deu 412,37")
    assert result.stage == Stage.HANDED_OFF
    assert templates_of(result) == ["qualification_result.qualified_typed", "satisfaction.ask"]
    assert "412,37" in result.texts[0] and "confirmar os dados" in result.texts[0]
    state = await silvia.state(MARIA.phone)
    registration = await silvia.registrations.get(state["serena_lead_id"])
    assert registration is not None and registration["payload"]["billSource"] == "typed"
    summary = [m for m in silvia.sandbox.sent() if m["kind"] == "template"][-1]
    assert "informada pelo lead" in summary["parameters"]["bill"]


@pytest.mark.parametrize(
    ("make_file", "mime", "template", "words"),
    [
        (not_a_bill_pdf, "application/pdf", "bill.not_a_bill_boleto", "boleto de outra cobrança"),
        (lambda: not_a_bill_pdf("letter"), "application/pdf", "bill.not_a_bill", "não é uma conta de luz"),
        (water_bill_pdf, "application/pdf", "bill.other_utility", "conta de água"),
        (lambda: b"%PDF-1.4 broken", "application/pdf", "bill.corrupt", "não consegui abrir"),
        (lambda: b"PK\x03\x04 a zip", "application/zip", "bill.unsupported_type", "tipo de arquivo"),
    ],
    ids=["boleto", "letter", "water", "corrupt", "zip"],
)
async def test_wrong_documents_get_their_own_answer_and_are_not_tries(
    silvia: Silvia, make_file, mime: str, template: str, words: str
) -> None:
    await at_document_request(silvia)
    result = await send_file(silvia, MARIA.phone, make_file(), mime, "arquivo")
    assert templates_of(result) == [template] and words in result.texts[0]
    assert result.stage == Stage.DOCUMENT_REQUESTED
    assert not (await silvia.state(MARIA.phone)).get("bill_attempts")


async def test_password_protected_and_oversized_files(tmp_path: Path, clock) -> None:
    from demo.sample_bills import encrypted_pdf

    settings = make_settings(tmp_path, SILVIA_MAX_BILL_BYTES="20000")
    async with open_silvia(settings, clock=lambda: clock[0]) as silvia:
        await at_document_request(silvia)
        locked = await send_file(silvia, MARIA.phone, encrypted_pdf())
        assert templates_of(locked) == ["bill.encrypted"] and "senha" in locked.texts[0]
        big = await send_file(silvia, MARIA.phone, b"%PDF-1.4\n" + b"0" * 30_000)
        assert templates_of(big) == ["bill.too_large"] and "grande demais" in big.texts[0]
        assert (await silvia.state(MARIA.phone)).get("bill_attempts", 0) == 0


async def test_two_pages_inside_the_window_are_merged(silvia: Silvia, clock) -> None:
    await at_document_request(silvia)
    front = await send_file(silvia, MARIA.phone, bill_part(top=True), filename="frente.pdf")
    assert templates_of(front) == ["bill.retry_missing_part"] and "consumo em kWh" in front.texts[0]
    state = await silvia.state(MARIA.phone)
    assert len(state["pending_bill"]) == 1 and "document_masked" not in state["pending_bill"][0]["fields"]
    clock[0] = clock[0] + timedelta(seconds=40)
    back = await send_file(silvia, MARIA.phone, bill_part(top=False), filename="verso.pdf")
    assert back.stage == Stage.HANDED_OFF, back.texts
    state = await silvia.state(MARIA.phone)
    assert state["bill"]["distributor"] == "Neoenergia Pernambuco" and state["bill"]["total_amount"] == 412.37
    assert state["bill"]["consumption_kwh"] and state["pending_bill"] == []
    assert not [p for p in silvia.sandbox.media_dir.iterdir() if p.suffix == ".pdf"]  # both files gone


async def test_a_page_after_the_window_is_read_on_its_own(silvia: Silvia, clock) -> None:
    await at_document_request(silvia)
    await send_file(silvia, MARIA.phone, bill_part(top=True))
    clock[0] = clock[0] + timedelta(minutes=10)  # default window: 2 minutes
    back = await send_file(silvia, MARIA.phone, bill_part(top=False))
    assert back.stage == Stage.DOCUMENT_REQUESTED and templates_of(back) == ["bill.offer_human"]
    state = await silvia.state(MARIA.phone)
    assert [p["filename"] for p in state["pending_bill"]] == ["conta.pdf"]  # only the new page waits
    assert len([p for p in silvia.sandbox.media_dir.iterdir() if p.suffix == ".pdf"]) == 1


async def test_amount_far_from_what_the_lead_said_is_confirmed_and_the_bill_wins(silvia: Silvia) -> None:
    await at_document_request(silvia)  # Maria said R$ 380
    asked = await send_file(silvia, MARIA.phone, bill_pdf(total=950.0, seed=4))
    assert templates_of(asked) == ["bill.amount_mismatch"] and asked.stage == Stage.DOCUMENT_RECEIVED
    assert "950,00" in asked.texts[0] and "380,00" in asked.texts[0]
    confirmed = await silvia.say(MARIA.phone, "sim, é a mais recente")
    assert confirmed.stage == Stage.HANDED_OFF and "950,00" in confirmed.texts[0]
    state = await silvia.state(MARIA.phone)
    registration = await silvia.registrations.get(state["serena_lead_id"])
    assert registration is not None and registration["payload"]["monthlyBill"] == 950.0


async def test_amount_mismatch_denied_asks_for_the_latest_bill(silvia: Silvia) -> None:
    await at_document_request(silvia)
    await send_file(silvia, MARIA.phone, bill_pdf(total=950.0, seed=4))
    denied = await silvia.say(MARIA.phone, "não, essa é antiga")
    assert templates_of(denied) == ["bill.send_latest"] and denied.stage == Stage.DOCUMENT_REQUESTED
    newer = await send_file(silvia, MARIA.phone, bill_pdf(total=401.9))
    assert newer.stage == Stage.HANDED_OFF and "401,90" in newer.texts[0]


async def test_small_difference_needs_no_question(silvia: Silvia) -> None:
    await at_document_request(silvia)  # said R$ 380, bill R$ 412,37: under 30 %
    result = await send_file(silvia, MARIA.phone, bill_pdf(total=412.37))
    assert "bill.amount_mismatch" not in templates_of(result) and result.stage == Stage.HANDED_OFF


async def test_retention_keeps_files_when_configured(tmp_path: Path, clock) -> None:
    settings = make_settings(tmp_path, SILVIA_BILL_RETENTION_HOURS="24")
    async with open_silvia(settings, clock=lambda: clock[0]) as silvia:
        await at_document_request(silvia)
        await send_file(silvia, MARIA.phone, bill_pdf())
        assert [p for p in settings.media_dir.iterdir() if p.suffix == ".pdf"]
    from datetime import UTC, datetime

    from tools.media_retention import purge_media

    assert purge_media(settings.media_dir, 24 * 3600, datetime.now(UTC)) == []
    removed = purge_media(settings.media_dir, 24 * 3600, datetime.now(UTC) + timedelta(hours=25))
    assert removed and not list(settings.media_dir.iterdir())


def _face(brightness: float = 1.0, blur: float = 0.0) -> bytes:
    """A picture with no text at all (a selfie, as far as a bill reader can tell)."""
    from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

    image = Image.new("RGB", (720, 960), (60, 90, 130))  # a blue wall behind the face
    draw = ImageDraw.Draw(image)
    draw.ellipse((180, 200, 540, 640), fill=(240, 200, 170))
    draw.ellipse((270, 350, 320, 390), fill=(40, 40, 40))
    draw.ellipse((400, 350, 450, 390), fill=(40, 40, 40))
    draw.arc((290, 450, 430, 560), 20, 160, fill=(150, 40, 40), width=8)
    image = ImageEnhance.Brightness(image).enhance(brightness).filter(ImageFilter.GaussianBlur(blur))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.mark.parametrize(
    ("photo", "template", "counts"),
    [
        (_face(), "bill.not_a_bill_photo", False),  # sharp and lit, nothing legible: not a bill
        (_face(brightness=0.2), "bill.retry_light", True),  # too dark to read anything
        (_face(blur=6), "bill.retry_focus", True),  # nothing in focus
    ],
    ids=["selfie", "dark", "blurred"],
)
async def test_photos_without_text_are_told_apart(
    silvia: Silvia, photo: bytes, template: str, counts: bool
) -> None:
    await at_document_request(silvia)
    result = await send_file(silvia, MARIA.phone, photo, "image/jpeg", "IMG_2041.jpg")
    assert templates_of(result) == [template] and result.stage == Stage.DOCUMENT_REQUESTED
    assert bool((await silvia.state(MARIA.phone)).get("bill_attempts")) is counts
