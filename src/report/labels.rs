//! Which names the charts show: Chinese and English together (the default), English only
//! (for a machine or a reader without CJK fonts: no CJK character is left in any chart), or
//! Chinese only.

use std::fmt;
use std::str::FromStr;

use crate::report::figures::Figure;
use crate::scenario::Scenario;

/// The names on the charts.
///
/// # Examples
///
/// ```
/// use popalloc::report::labels::Labels;
///
/// assert_eq!("latin".parse::<Labels>(), Ok(Labels::Latin));
/// assert_eq!(Labels::default(), Labels::Both);
/// assert!("pinyin".parse::<Labels>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Labels {
    /// English names only; any other CJK character is dropped from the charts.
    Latin,
    /// Chinese names where there are (streets, the scenario), English elsewhere.
    Chinese,
    /// Both, e.g. "解放碑 Jiefangbei" (the default). A reader needs a CJK font (Noto Sans
    /// CJK, Source Han Sans, PingFang, Microsoft YaHei or WenQuanYi; see
    /// [`FONT_FAMILY`](crate::report::charts::FONT_FAMILY)).
    #[default]
    Both,
}

impl FromStr for Labels {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "latin" => Ok(Self::Latin),
            "chinese" => Ok(Self::Chinese),
            "both" => Ok(Self::Both),
            other => Err(format!(
                "{other:?} is not a label choice: latin, chinese or both"
            )),
        }
    }
}

impl fmt::Display for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Latin => "latin",
            Self::Chinese => "chinese",
            Self::Both => "both",
        })
    }
}

/// Whether `c` is a CJK character or CJK punctuation (ideographs, kana, hangul, the CJK
/// symbols and full-width forms, and the curly quotes Chinese titles use).
pub fn is_cjk(c: char) -> bool {
    // The charts' own test of a one-em character, plus the half-width forms, the hangul
    // extensions and the curly quotes, which need a CJK font as well.
    crate::report::charts::is_wide(c)
        || matches!(c,
            '\u{A960}'..='\u{A97F}' | '\u{D7A4}'..='\u{D7FF}' | '\u{FF61}'..='\u{FFEF}'
            | '“' | '”' | '‘' | '’')
}

impl Labels {
    /// Rewrites the charts' names in place: each street's "中文 English" label becomes
    /// its English or Chinese name, the scenario's Chinese name its English name (for
    /// [`Labels::Latin`]); with [`Labels::Latin`] any CJK character left (in a service's or
    /// band's name) is dropped, so that no chart holds one.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::report::figures::Figure;
    /// use popalloc::report::labels::Labels;
    ///
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let mut figures = vec![Figure {
    ///     file: "x.svg".into(),
    ///     caption: "x".into(),
    ///     svg: "<svg><text>解放碑 Jiefangbei</text><text>重庆市渝中区“十四五”公共服务规划: bands</text></svg>".into(),
    /// }];
    /// Labels::Latin.apply(&yuzhong, &mut figures);
    /// assert!(figures[0].svg.contains(">Jiefangbei<"));
    /// assert!(!figures[0].svg.chars().any(popalloc::report::labels::is_cjk));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn apply(&self, scenario: &Scenario, figures: &mut [Figure]) {
        for figure in figures {
            figure.svg = self.relabel(scenario, &figure.svg);
        }
    }

    /// One SVG text with its names rewritten as [`Labels::apply`] says.
    pub fn relabel(&self, scenario: &Scenario, svg: &str) -> String {
        if *self == Self::Both {
            return svg.to_string();
        }
        let mut out = svg.to_string();
        for area in &scenario.areas {
            let name = match self {
                Self::Latin => &area.name_en,
                _ => &area.name_zh,
            };
            out = out.replace(&area.label(), name);
        }
        if *self == Self::Latin {
            out = out.replace(scenario.short_name(), &scenario.file.name);
            out.retain(|c| !is_cjk(c));
        }
        out
    }
}
