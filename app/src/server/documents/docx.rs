//! Word (`.docx`) output of a [`Document`], through `docx-rs`.

use std::io::Cursor;
use std::iter;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, IndentLevel, Level, LevelJc, LevelText,
    LineSpacing, NumberFormat, Numbering, NumberingId, PageMargin, Paragraph, Pic, Run, RunFonts,
    Shading, ShdType, SpecialIndentType, Start, Style, StyleType, TableCell, TableCellMargins,
    TableRow, WidthType,
};

use super::{BarChart, Block, Cell, Document, DocumentError, Table};

// Page measures in twips (twentieths of a point): A4 with 2.5 cm margins, which leaves a
// 16 cm text column.
const PAGE_WIDTH: u32 = 11_906;
const PAGE_HEIGHT: u32 = 16_838;
const MARGIN: i32 = 1_417;
const HEADER_FOOTER_MARGIN: i32 = 709;
const TEXT_WIDTH: usize = 9_072;

/// The text column in EMU (360,000 to the centimetre), the unit of picture sizes.
const TEXT_WIDTH_EMU: u32 = 5_760_000;
const CHART_WIDTH_PX: u32 = 1_200;
const CHART_HEIGHT_PX: u32 = 600;
const CHART_HEIGHT_EMU: u32 = TEXT_WIDTH_EMU / CHART_WIDTH_PX * CHART_HEIGHT_PX;

const FONT: &str = "Arial";
/// In half-points.
const FONT_SIZE: usize = 22;
/// Space after a paragraph, in twips.
const PARAGRAPH_SPACING: u32 = 120;
const HEADER_FILL: &str = "E7E6E6";
/// Space between a cell's border and its text, in twips.
const CELL_MARGIN_X: usize = 108;
const CELL_MARGIN_Y: usize = 29;

// Style ids. Word knows the built-in styles by these ids and names, so its navigation pane
// lists the headings.
const NORMAL: &str = "Normal";
const TITLE: &str = "Title";
const SUBTITLE: &str = "Subtitle";
const HEADING_1: &str = "Heading1";
const HEADING_2: &str = "Heading2";
const CAPTION: &str = "Caption";

/// The bullet list's numbering id; docx-rs writes a numbered list of its own as 1.
const BULLET_LIST: usize = 2;

/// How docx-rs writes every row built with `cant_split`: in this module, only header rows.
const HEADER_ROW_PROPERTIES: &str = "<w:trPr><w:cantSplit /></w:trPr>";
/// How docx-rs writes every picture's properties: all with the same id, none with a description.
const PICTURE_PROPERTIES: &str = r#"<wp:docPr id="1" name="Figure" />"#;

/// `doc` as a Word file: A4, headings in Word's own heading styles, each chart a picture
/// the width of the text.
pub fn render(doc: &Document) -> Result<Vec<u8>, DocumentError> {
    let mut docx = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN)
                .header(HEADER_FOOTER_MARGIN)
                .footer(HEADER_FOOTER_MARGIN),
        )
        .default_fonts(
            RunFonts::new()
                .ascii(FONT)
                .hi_ansi(FONT)
                .cs(FONT)
                .east_asia(FONT),
        )
        .default_size(FONT_SIZE)
        // docx-rs writes its own empty Normal style, so paragraph spacing goes in the defaults.
        .default_line_spacing(LineSpacing::new().after(PARAGRAPH_SPACING))
        .add_abstract_numbering(bullet_list())
        .add_numbering(Numbering::new(BULLET_LIST, BULLET_LIST));
    docx = styles().into_iter().fold(docx, Docx::add_style);

    docx = docx.add_paragraph(styled(TITLE, &doc.title));
    if let Some(subtitle) = &doc.subtitle {
        docx = docx.add_paragraph(styled(SUBTITLE, subtitle));
    }
    for block in &doc.blocks {
        docx = match block {
            Block::Heading { level, text } => {
                docx.add_paragraph(styled(heading_style(*level), text))
            }
            Block::Paragraph(text) => paragraphs(text).into_iter().fold(docx, Docx::add_paragraph),
            Block::Bullets(items) => items
                .iter()
                .fold(docx, |docx, item| docx.add_paragraph(bullet(item))),
            Block::Table(table) => add_table(docx, table),
            Block::Chart(chart) => add_chart(docx, chart),
        };
    }

    let chart_titles = doc.blocks.iter().filter_map(|block| match block {
        Block::Chart(chart) => Some(chart.title.as_str()),
        _ => None,
    });
    let mut package = docx.build();
    let body = String::from_utf8(package.document).map_err(word_error)?;
    package.document = describe_pictures(&mark_header_rows(&body), chart_titles).into_bytes();

    let mut out = Cursor::new(Vec::new());
    package.pack(&mut out).map_err(word_error)?;
    Ok(out.into_inner())
}

fn word_error(error: impl std::fmt::Display) -> DocumentError {
    DocumentError {
        format: "Word",
        detail: error.to_string(),
    }
}

fn styles() -> Vec<Style> {
    vec![
        paragraph_style(TITLE, "Title").size(48).bold(),
        paragraph_style(SUBTITLE, "Subtitle")
            .size(28)
            .color("595959")
            .line_spacing(LineSpacing::new().after(240)),
        heading(HEADING_1, "heading 1", 0)
            .size(32)
            .line_spacing(LineSpacing::new().before(360).after(120)),
        heading(HEADING_2, "heading 2", 1)
            .size(26)
            .line_spacing(LineSpacing::new().before(240).after(80)),
        keep_with_next(paragraph_style(CAPTION, "caption"))
            .bold()
            .line_spacing(LineSpacing::new().before(240).after(80)),
    ]
}

fn paragraph_style(id: &str, name: &str) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on(NORMAL)
        .next(NORMAL)
}

/// `outline_level` counts from 0 for Heading 1.
fn heading(id: &str, name: &str, outline_level: usize) -> Style {
    keep_with_next(paragraph_style(id, name))
        .bold()
        .outline_lvl(outline_level)
}

/// So a heading or caption never ends a page apart from what it introduces.
fn keep_with_next(mut style: Style) -> Style {
    style.paragraph_property = style.paragraph_property.keep_next(true);
    style
}

fn heading_style(level: u8) -> &'static str {
    if level <= 1 {
        HEADING_1
    } else {
        HEADING_2
    }
}

fn bullet_list() -> AbstractNumbering {
    AbstractNumbering::new(BULLET_LIST).add_level(
        Level::new(
            0,
            Start::new(1),
            NumberFormat::new("bullet"),
            LevelText::new("•"),
            LevelJc::new("left"),
        )
        .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None),
    )
}

fn styled(style: &str, text: &str) -> Paragraph {
    Paragraph::new().style(style).add_run(text_run(text))
}

/// One paragraph for each stretch of text between blank lines.
fn paragraphs(text: &str) -> Vec<Paragraph> {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .split(|line| line.trim().is_empty())
        .filter(|stretch| !stretch.is_empty())
        .map(|stretch| Paragraph::new().add_run(lines_run(stretch.iter().copied())))
        .collect()
}

fn bullet(item: &str) -> Paragraph {
    Paragraph::new()
        .numbering(NumberingId::new(BULLET_LIST), IndentLevel::new(0))
        .add_run(text_run(item))
}

fn add_table(docx: Docx, table: &Table) -> Docx {
    let docx = docx.add_paragraph(styled(CAPTION, &table.caption));
    // Word refuses a file with a row of no cells.
    if table.header.is_empty() {
        return docx;
    }
    let column_width = TEXT_WIDTH / table.header.len();
    let header = TableRow::new(
        table
            .header
            .iter()
            .map(|title| header_cell(title, column_width))
            .collect(),
    )
    .cant_split();
    let body = table.rows.iter().map(|row| {
        TableRow::new(
            row.iter()
                .map(|cell| body_cell(cell, column_width))
                .collect(),
        )
    });
    // `Table::new` draws single borders round and between all cells.
    docx.add_table(
        docx_rs::Table::new(iter::once(header).chain(body).collect())
            .set_grid(vec![column_width; table.header.len()])
            .width(TEXT_WIDTH, WidthType::Dxa)
            .margins(TableCellMargins::new().margin(
                CELL_MARGIN_Y,
                CELL_MARGIN_X,
                CELL_MARGIN_Y,
                CELL_MARGIN_X,
            )),
    )
    // Keeps what follows off the table's bottom border.
    .add_paragraph(Paragraph::new())
}

fn header_cell(title: &str, width: usize) -> TableCell {
    TableCell::new()
        .width(width, WidthType::Dxa)
        .shading(Shading::new().shd_type(ShdType::Clear).fill(HEADER_FILL))
        .add_paragraph(cell_paragraph().add_run(text_run(title).bold()))
}

fn body_cell(cell: &Cell, width: usize) -> TableCell {
    let paragraph = cell_paragraph().add_run(text_run(&cell.display()));
    // Figures line up on the right, as in a spreadsheet.
    let paragraph = match cell {
        Cell::Count(_) | Cell::Share(_) => paragraph.align(AlignmentType::Right),
        Cell::Text(_) | Cell::Empty => paragraph,
    };
    TableCell::new()
        .width(width, WidthType::Dxa)
        .add_paragraph(paragraph)
}

/// Without the usual space after a paragraph, which would pad the bottom of every cell.
fn cell_paragraph() -> Paragraph {
    Paragraph::new().line_spacing(LineSpacing::new().before(0).after(0))
}

fn add_chart(docx: Docx, chart: &BarChart) -> Docx {
    let png = super::chart::png(chart, CHART_WIDTH_PX, CHART_HEIGHT_PX);
    let picture = Pic::new_with_dimensions(png, CHART_WIDTH_PX, CHART_HEIGHT_PX)
        .size(TEXT_WIDTH_EMU, CHART_HEIGHT_EMU);
    docx.add_paragraph(styled(CAPTION, &chart.title))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_image(picture)))
}

/// `text` with each `\n` as a line break.
fn text_run(text: &str) -> Run {
    lines_run(text.lines())
}

fn lines_run<'a>(lines: impl Iterator<Item = &'a str>) -> Run {
    lines.enumerate().fold(Run::new(), |run, (index, line)| {
        let run = if index == 0 {
            run
        } else {
            run.add_break(BreakType::TextWrapping)
        };
        run.add_text(xml_safe(line))
    })
}

/// `text` less the characters XML forbids, which would make Word refuse the whole file;
/// docx-rs escapes markup but passes these through.
fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| c == '\t' || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'))
        .collect()
}

/// docx-rs can't mark a row as the table's header, repeated atop each page it runs onto.
fn mark_header_rows(body: &str) -> String {
    body.replace(
        HEADER_ROW_PROPERTIES,
        "<w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>",
    )
}

/// Gives each picture its own id, which Word expects, and its chart's title as the
/// description a screen reader reads out. `titles` are in document order.
fn describe_pictures<'a>(body: &str, titles: impl Iterator<Item = &'a str>) -> String {
    let mut parts = body.split(PICTURE_PROPERTIES);
    let mut out = parts.next().unwrap_or_default().to_owned();
    let mut titles = titles.fuse();
    for (id, part) in (1..).zip(parts) {
        let title = xml_safe(titles.next().unwrap_or_default())
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;");
        out.push_str(&format!(
            r#"<wp:docPr id="{id}" name="Chart {id}" descr="{title}" />"#
        ));
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use zip::ZipArchive;

    use super::super::Series;
    use super::*;

    fn sample() -> Document {
        Document {
            title: "Monthly summary".into(),
            subtitle: Some("April 2025".into()),
            blocks: vec![
                Block::Heading {
                    level: 1,
                    text: "Audits filed".into(),
                },
                Block::Paragraph("First line\nsecond line\n\nNext paragraph".into()),
                Block::Bullets(vec!["One bullet".into(), "Two bullets".into()]),
                Block::Heading {
                    level: 2,
                    text: "By team".into(),
                },
                Block::Table(Table {
                    caption: "Cases by team".into(),
                    header: vec!["Team".into(), "Cases".into(), "Share".into()],
                    rows: vec![
                        vec![
                            Cell::Text("North & East".into()),
                            Cell::Count(12),
                            Cell::Share(0.5),
                        ],
                        vec![Cell::Text("South".into()), Cell::Count(3), Cell::Empty],
                    ],
                }),
                Block::Chart(chart("Cases <per> month")),
                Block::Chart(chart("Second chart")),
            ],
        }
    }

    fn chart(title: &str) -> BarChart {
        BarChart {
            title: title.into(),
            categories: vec!["Jan".into(), "Feb".into()],
            series: vec![Series {
                name: "Cases".into(),
                values: vec![1.0, 2.0],
            }],
        }
    }

    fn part(docx: &[u8], name: &str) -> String {
        let mut archive = ZipArchive::new(Cursor::new(docx)).expect("a zip file");
        let mut text = String::new();
        archive
            .by_name(name)
            .expect("the part")
            .read_to_string(&mut text)
            .expect("UTF-8 text");
        text
    }

    #[test]
    fn writes_the_text_in_its_styles() {
        let docx = render(&sample()).expect("rendered");
        let body = part(&docx, "word/document.xml");
        for (style, text) in [
            (TITLE, "Monthly summary"),
            (SUBTITLE, "April 2025"),
            (HEADING_1, "Audits filed"),
            (HEADING_2, "By team"),
            (CAPTION, "Cases by team"),
        ] {
            let paragraph = format!(r#"<w:pStyle w:val="{style}" />"#);
            let at = body.find(&paragraph).expect(style);
            assert!(body[at..].contains(text), "{text}");
        }
        // A single newline breaks the line; a blank line starts the next paragraph.
        assert!(body.contains(concat!(
            r#"First line</w:t><w:br w:type="textWrapping" />"#,
            r#"<w:t xml:space="preserve">second line</w:t></w:r></w:p>"#,
        )));
        assert!(body.contains(r#"<w:t xml:space="preserve">Next paragraph</w:t>"#));
        assert_eq!(body.matches(r#"<w:numId w:val="2" />"#).count(), 2);
    }

    #[test]
    fn defines_heading_styles_and_bullets() {
        let docx = render(&sample()).expect("rendered");
        let styles = part(&docx, "word/styles.xml");
        assert!(styles.contains(r#"w:styleId="Heading1""#));
        assert!(styles.contains(r#"<w:name w:val="heading 1" />"#));
        assert!(styles.contains(r#"<w:outlineLvl w:val="0" />"#));
        assert!(styles.contains(r#"w:styleId="Heading2""#));
        let numbering = part(&docx, "word/numbering.xml");
        let bullets = numbering
            .find(r#"<w:abstractNum w:abstractNumId="2">"#)
            .expect("the bullet list");
        assert!(numbering[bullets..].starts_with(
            r#"<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="1" /><w:numFmt w:val="bullet" />"#
        ));
        assert!(numbering.contains(r#"<w:num w:numId="2"><w:abstractNumId w:val="2" /></w:num>"#));
    }

    #[test]
    fn tables_have_a_repeating_bold_header_and_borders() {
        let docx = render(&sample()).expect("rendered");
        let body = part(&docx, "word/document.xml");
        assert_eq!(body.matches("<w:tblHeader />").count(), 1);
        assert!(body.contains("<w:tblBorders>"));
        let header = body.find("<w:tblHeader />").expect("header row");
        assert!(body[header..].contains("<w:b />"));
        for text in ["Team", "North &amp; East", "12", "50%", "South", "3"] {
            assert!(body.contains(&format!(">{text}</w:t>")), "{text}");
        }
    }

    #[test]
    fn charts_are_page_wide_pngs_with_their_titles() {
        let docx = render(&sample()).expect("rendered");
        let body = part(&docx, "word/document.xml");
        assert_eq!(body.matches("<w:drawing>").count(), 2);
        assert!(body.contains(r#"<wp:extent cx="5760000" cy="2880000" />"#));
        assert!(body.contains(r#"<wp:docPr id="1" name="Chart 1" descr="Cases &lt;per> month" />"#));
        assert!(body.contains(r#"<wp:docPr id="2" name="Chart 2" descr="Second chart" />"#));
        assert!(body.contains("Cases &lt;per&gt; month</w:t>"));

        let mut archive = ZipArchive::new(Cursor::new(&docx)).expect("a zip file");
        let media: Vec<String> = archive
            .file_names()
            .map(|name| name.expect("a UTF-8 name").into_owned())
            .filter(|name| name.starts_with("word/media/") && !name.ends_with('/'))
            .collect();
        assert!(!media.is_empty());
        for name in media {
            assert!(name.ends_with(".png"), "{name}");
            let mut bytes = Vec::new();
            archive
                .by_name(&name)
                .expect("the picture")
                .read_to_end(&mut bytes)
                .expect("read");
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        }
        let rels = part(&docx, "word/_rels/document.xml.rels");
        assert!(rels.contains("media/"));
    }

    #[test]
    fn page_is_a4_with_a_16_cm_text_column() {
        let docx = render(&Document::default()).expect("rendered");
        let body = part(&docx, "word/document.xml");
        assert!(body.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#));
        assert!(body.contains(r#"w:left="1417""#) && body.contains(r#"w:right="1417""#));
    }

    #[test]
    fn drops_characters_xml_forbids() {
        let doc = Document {
            title: "Bell\u{7} & <tags>".into(),
            ..Document::default()
        };
        let body = part(&render(&doc).expect("rendered"), "word/document.xml");
        assert!(body.contains(">Bell &amp; &lt;tags&gt;</w:t>"));
        assert!(!body.contains('\u{7}'));
    }
}
