"""The pages' stylesheet and pictures, on small inputs: KaTeX's fonts swapped in, the joined
stylesheet, picture sizes and lazy loading (the built site is checked in tests/test_site.py)."""

from PIL import Image

from scripts.site import pictures, styles


def test_every_font_face_swaps_in():
    css = ("@font-face{font-display:block;font-family:A;src:url(a.woff2)}"
           ".x{font-display:block}@font-face{font-family:B;src:url(b.woff2)}")
    assert styles.swap_fonts(css) == ("@font-face{font-display:swap;font-family:A;src:url(a.woff2)}"
                                      ".x{font-display:block}@font-face{font-display:swap;font-family:B;"
                                      "src:url(b.woff2)}")


def test_the_stylesheet_joins_its_parts_in_order_then_the_maths_rules():
    joined = styles.bundle([("stylesheets/a.css", "a { }\n"), ("stylesheets/b.css", "b { }")], ".nn-m1{top:0}")
    assert joined.index("a { }") < joined.index("b { }") < joined.index(".nn-m1{top:0}")
    assert "/* --- stylesheets/b.css --- */" in joined


def test_generated_pictures_get_their_size_and_all_but_the_first_load_lazily(tmp_path):
    generated = tmp_path / "assets" / "generated"
    (generated / "p").mkdir(parents=True)
    Image.new("RGB", (300, 200)).save(generated / "p" / "a.webp")
    (generated / "p" / "b.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="432pt" height="243pt" '
                                          'viewBox="0 0 432 243"></svg>')
    Image.new("RGB", (768, 432)).save(generated / "p" / "c-poster.webp")
    html = ('<video controls poster="../../assets/generated/p/c-poster.webp">'
            '<img alt="a" src="../../assets/generated/p/a.webp" />'
            '<img src="../../assets/generated/p/b.svg" alt="b">'
            '<img src="../../assets/generated/p/a.webp" alt="c" loading="eager">'
            '<img src="https://example.test/x.png" alt="d">')
    assert pictures.size_and_defer(html, "../../", generated) == (
        '<video controls poster="../../assets/generated/p/c-poster.webp" width="768" height="432">'
        '<img alt="a" src="../../assets/generated/p/a.webp" width="300" height="200" loading="lazy" />'
        '<img src="../../assets/generated/p/b.svg" alt="b" width="576" height="324" loading="lazy">'
        '<img src="../../assets/generated/p/a.webp" alt="c" loading="eager" width="300" height="200">'
        '<img src="https://example.test/x.png" alt="d">')
    # The home page's root is "./"; Markdown writes its links without it.
    assert pictures.size_and_defer('<img src="assets/generated/p/a.webp" alt="a">', "./", generated) == \
        '<img src="assets/generated/p/a.webp" alt="a" width="300" height="200">'
