//! The digest's 12-week chart as a PNG: needs in, needs done (delivered or redirected), seeds in
//! service. Drawn with plotters into memory, with a font carried in the binary
//! (assets/fonts/chart-font.otf, a subset of Noto Sans CJK JP covering every text in prompts/), so
//! no system font or fontconfig is needed.

use std::sync::OnceLock;

use chrono_tz::Tz;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::domain::digest::ChartWeek;

const FONT: &[u8] = include_bytes!("../../assets/fonts/chart-font.otf");
const FAMILY: &str = "kakehashi";
const SIZE: (u32, u32) = (960, 480);

/// A line of the chart: its name, its colour, and the figure it draws from each week.
type Series<'a> = (&'a str, RGBColor, fn(&ChartWeek) -> usize);

/// The chart's words, in the reader's language.
pub struct Labels {
    pub title: String,
    pub needs_in: String,
    pub needs_done: String,
    pub seeds_in_service: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(String);

fn font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ChartError("the bundled font is unreadable".into())) }
}

/// Draws the weeks (oldest first) and returns the PNG.
pub fn png(weeks: &[ChartWeek], labels: &Labels, tz: Tz) -> Result<Vec<u8>, ChartError> {
    font()?;
    let (w, h) = SIZE;
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    draw(&mut rgb, weeks, labels, tz).map_err(|e| ChartError(e.to_string()))?;
    let mut out = Vec::with_capacity(32 * 1024);
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| ChartError(e.to_string()))?;
        writer.write_image_data(&rgb).map_err(|e| ChartError(e.to_string()))?;
    }
    Ok(out)
}

fn draw<'a>(
    rgb: &'a mut [u8],
    weeks: &[ChartWeek],
    labels: &Labels,
    tz: Tz,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let root = BitMapBackend::with_buffer(rgb, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let top =
        weeks.iter().map(|w| w.needs_in.max(w.needs_done).max(w.seeds_in_service)).max().unwrap_or(0).max(4) as u32;
    let n = weeks.len().max(1) as u32;
    let mut chart = ChartBuilder::on(&root)
        .caption(&labels.title, (FAMILY, 26).into_font())
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0u32..n.saturating_sub(1).max(1), 0u32..top + top / 5 + 1)?;
    let dates: Vec<String> = weeks.iter().map(|w| w.start.with_timezone(&tz).format("%m/%d").to_string()).collect();
    chart
        .configure_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .x_labels(weeks.len().max(2))
        .x_label_formatter(&|i| dates.get(*i as usize).cloned().unwrap_or_default())
        .y_label_formatter(&|v| v.to_string())
        .label_style((FAMILY, 15).into_font())
        .draw()?;
    let series: [Series; 3] = [
        (&labels.needs_in, RGBColor(33, 102, 172), |w| w.needs_in),
        (&labels.needs_done, RGBColor(27, 158, 119), |w| w.needs_done),
        (&labels.seeds_in_service, RGBColor(217, 95, 2), |w| w.seeds_in_service),
    ];
    for (name, color, value) in series {
        let points: Vec<(u32, u32)> = weeks.iter().enumerate().map(|(i, w)| (i as u32, value(w) as u32)).collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3)));
        chart.draw_series(points.into_iter().map(|p| Circle::new(p, 4, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 200, 200))
        .label_font((FAMILY, 16).into_font())
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn a_chart_is_a_png_with_japanese_labels_and_no_system_font() {
        let start = Utc.with_ymd_and_hms(2026, 9, 7, 0, 0, 0).unwrap();
        let weeks: Vec<ChartWeek> = (0..12)
            .map(|i| ChartWeek {
                start: start + Duration::weeks(i),
                needs_in: (i % 5) as usize,
                needs_done: (i % 3) as usize,
                seeds_in_service: (i / 4) as usize,
            })
            .collect();
        let labels = Labels {
            title: "直近12週間".into(),
            needs_in: "受付ニーズ".into(),
            needs_done: "完了ニーズ".into(),
            seeds_in_service: "運用中シーズ".into(),
        };
        let bytes = png(&weeks, &labels, chrono_tz::Asia::Tokyo).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert!(bytes.len() > 5_000, "{} bytes", bytes.len());
        // an empty history still draws
        assert!(png(&[], &labels, chrono_tz::UTC).is_ok());
    }
}
