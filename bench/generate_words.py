"""Word lists and transliteration tables for ``bench/generate.py``.

Titles, names, publishers and subjects of the four catalogue languages (Kazakh and Russian
in Cyrillic, Azerbaijani in Latin, English), ISBN-13 group prefixes by language, and the
tables a librarian's other script applies: Kazakh Cyrillic → Latin (2021 alphabet),
Azerbaijani Latin → the older Cyrillic, Russian → a simple ALA-LC-like romanisation.
"""

from __future__ import annotations

LANGS = ("kaz", "aze", "rus", "eng")
WORDS = {
    "kaz": "Абай жолы қазақ тарихы әдебиет тілі дала өлеңдер жинақ халық ертегілері ғылым "
    "мәдениет білім заманауи шығармалар таңдамалы көшпенділер елі ұлы жер туралы өмір жастар "
    "сөздік оқулық мемлекет экономика құқық аудармалар шежіре күй домбыра Алатау",
    "aze": "Azərbaycan tarixi ədəbiyyat dili şeirlər seçilmiş əsərləri xalq nağılları "
    "mədəniyyət elm təhsil müasir dövlət iqtisadiyyat hüquq lüğət dərslik qədim Bakı torpaq "
    "həyat gənclik musiqi incəsənət Qarabağ ölkə şəhər yol kitab muğam dastanlar",
    "rus": "история Казахстана Азербайджана литература язык избранные произведения народные "
    "сказки культура наука образование современная экономика право словарь учебник степь "
    "жизнь очерки поэзия музыка искусство город древние памятники развитие общество путь",
    "eng": "history of Kazakhstan Azerbaijan literature language selected works folk tales "
    "culture science education modern economy law dictionary textbook steppe life essays "
    "poetry music art city ancient monuments development society Caspian nomads",
}
SURNAMES = {
    "kaz": "Әуезов Сүлейменов Мағауин Есенберлин Нұрпейісов Жұмабаев Байтұрсынұлы Кекілбаев "
    "Мүсірепов Құнанбаев Сейфуллин Майлин Шаханов Оралхан Қасымов Тәжібаев",
    "aze": "Səfərli Əliyev Hüseynov Məmmədov Quliyev Rəhimov Abbasov Nəsirov Vurğun Cabbarlı "
    "Əfəndiyev Rzayev İbrahimov Şıxlı Hacıyev Qasımov",
    "rus": "Иванов Петров Смирнов Кузнецов Соколов Попов Лебедев Козлов Новиков Морозов "
    "Волков Алексеев Лазарев Гумилёв Бартольд Ларин",
    "eng": "Smith Johnson Brown Taylor Wilson Davies Evans Thomas Roberts Walker Olcott Golden "
    "Frye Cameron Swietochowski Hopkirk",
}
GIVEN = {
    "kaz": "Мұхтар Олжас Ілияс Әбдіжәміл Мағжан Ахмет Әбіш Ғабит Абай Сәкен Бейімбет Мұхтар "
    "Гүлнар Әйгерім Дана Жанар",
    "aze": "Elçin Anar Kamal Rəşad Nigar Leyla Fuad Ramiz Səməd Mirzə Hüseyn Cəlil İsmayıl "
    "Gülnar Aygün Nərmin",
    "rus": "Александр Сергей Елена Ольга Николай Татьяна Андрей Ирина Лев Василий Мария Анна "
    "Дмитрий Юрий Павел Наталья",
    "eng": "John Mary David Sarah James Emma Peter Anne Martha Peter Audrey Michael Tadeusz "
    "Sarah Robert Helen",
}
PUBLISHERS = {
    "kaz": [
        ("Алматы", "Жазушы"),
        ("Алматы", "Атамұра"),
        ("Алматы", "Мектеп"),
        ("Астана", "Фолиант"),
        ("Алматы", "Қазақ энциклопедиясы"),
        ("Алматы", "Өнер"),
    ],
    "aze": [
        ("Bakı", "Şərq-Qərb"),
        ("Bakı", "Yazıçı"),
        ("Bakı", "Maarif"),
        ("Bakı", "Elm"),
        ("Bakı", "Təhsil"),
        ("Bakı", "Qanun"),
    ],
    "rus": [
        ("Москва", "Наука"),
        ("Москва", "Просвещение"),
        ("Москва", "Эксмо"),
        ("Санкт-Петербург", "Азбука"),
        ("Алматы", "Раритет"),
        ("Баку", "Элм"),
    ],
    "eng": [
        ("London", "Routledge"),
        ("Cambridge", "Cambridge University Press"),
        ("Oxford", "Oxford University Press"),
        ("Leiden", "Brill"),
        ("Stanford", "Hoover Institution Press"),
        ("London", "I.B. Tauris"),
    ],
}
ISBN_GROUPS = {
    "kaz": ("978601", "9789965"),
    "aze": ("9789952",),
    "rus": ("9785",),
    "eng": ("9780", "9781"),
}
COUNTRY = {"kaz": "kz ", "aze": "aj ", "rus": "ru ", "eng": "enk"}
SUBJECTS = {
    "kaz": "Қазақ әдебиеті|Қазақстан тарихы|Қазақ тілі|Фольклор",
    "aze": "Azərbaycan ədəbiyyatı|Azərbaycan tarixi|Azərbaycan dili|Folklor",
    "rus": "Русская литература|История|Языкознание|Фольклор",
    "eng": "Central Asia -- History|Caucasus -- History|Turkic languages|Folklore",
}
# The Kazakh Latin alphabet of 2021: і → ı (capital I), и and й → i (capital İ).
KAZ_LATIN = str.maketrans(
    {
        **dict(zip("абвгғдезийкқлмнңоөпрстуұүфхһыіэ",
                   "abvgğdeziikqlmnñoöprstuūüfhhyıe", strict=True)),
        **dict(zip("АБВГҒДЕЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЫІЭ",
                   "ABVGĞDEZİİKQLMNÑOÖPRSTUŪÜFHHYIE", strict=True)),
        "ә": "ä", "Ә": "Ä", "ж": "j", "Ж": "J", "ш": "ş", "Ш": "Ş", "ч": "ç", "Ч": "Ç",
        "ц": "ts", "Ц": "Ts", "щ": "şş", "ю": "iu", "Ю": "Iu", "я": "ia", "Я": "Ia",
        "ё": "io", "ъ": "", "ь": "",
    }
)  # fmt: skip
AZE_CYRILLIC = str.maketrans(
    dict(
        zip(
            "abcçdeəfgğhxıijkqlmnoöprsştuüvyzABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ",
            "абҹчдеәфҝғһхыижкглмноөпрсштуүвјзАБҸЧДЕӘФҜҒҺХЫИЖКГЛМНОӨПРСШТУҮВЈЗ",
            strict=True,
        )
    )
)
RUS_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziiklmnoprstufye", strict=True)),
        **dict(zip("АБВГДЕЗИЙКЛМНОПРСТУФЫЭ", "ABVGDEZIIKLMNOPRSTUFYE", strict=True)),
        "ж": "zh",
        "Ж": "Zh",
        "х": "kh",
        "Х": "Kh",
        "ц": "ts",
        "Ц": "Ts",
        "ч": "ch",
        "Ч": "Ch",
        "ш": "sh",
        "Ш": "Sh",
        "щ": "shch",
        "ю": "iu",
        "Ю": "Iu",
        "я": "ia",
        "Я": "Ia",
        "ё": "e",
        "ъ": "",
        "ь": "",
    }
)
ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
TITLE_WORDS = {k: v.split() for k, v in WORDS.items()}
SURNAME_LIST = {k: v.split() for k, v in SURNAMES.items()}
GIVEN_LIST = {k: v.split() for k, v in GIVEN.items()}
SUBJECT_LIST = {k: v.split("|") for k, v in SUBJECTS.items()}
