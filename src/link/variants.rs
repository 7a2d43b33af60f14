//! The ways a target may write one of our names, for asking an endpoint by exact label:
//! the name as written and in title case, without titles and suffixes, as first and last
//! name, and with the first name's nicknames (or the name a nickname stands for). Every
//! form returned matches the name at one of the tiers of [`super::names`]; the tiers,
//! not these forms, still decide.

use super::names::{GENERATIONS, HONORIFICS, NICKNAMES, Name, POSTNOMINALS, words};

/// The most forms one name asks for.
const MOST_FORMS: usize = 24;

/// The folded form of one written word ("Sen." → "sen").
fn folded(word: &str) -> String {
    words(word).join("")
}

/// "mike DEWINE" → "Mike Dewine"; hyphens and apostrophes start a new capital
/// ("o'rourke" → "O'Rourke").
fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, ' ' | '-' | '\'' | '’');
    }
    out
}

fn capitalised(word: &str) -> String {
    title_case(word)
}

/// The forms of `text` to look up, each matching it at some tier, without repeats.
pub(super) fn surface_forms(text: &str) -> Vec<String> {
    let exact = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = Name::parse(&exact);
    // As written, "Last, First" turned around as Name::parse turns it.
    let mut tokens: Vec<String> = match exact.split_once(',') {
        Some((last, first)) if !first.contains(',') && name.folded != words(&exact).join(" ") => first
            .split_whitespace()
            .chain(last.split_whitespace())
            .map(str::to_owned)
            .collect(),
        _ => exact
            .split_whitespace()
            .map(|t| t.trim_end_matches(',').to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
    };
    let mut bases = vec![exact.clone(), tokens.join(" ")];
    while tokens.len() > 1 {
        let last = folded(tokens.last().map(String::as_str).unwrap_or_default());
        if GENERATIONS.iter().any(|(g, _)| *g == last) || POSTNOMINALS.contains(&last.as_str()) {
            tokens.pop();
        } else {
            break;
        }
    }
    let leading = tokens
        .iter()
        .take_while(|t| HONORIFICS.contains(&folded(t).as_str()))
        .count()
        .min(tokens.len().saturating_sub(1));
    tokens.drain(..leading);
    bases.push(tokens.join(" "));
    if let [first, middle @ .., last] = tokens.as_slice() {
        bases.push(format!("{first} {last}"));
        let key = folded(first);
        let others = NICKNAMES
            .iter()
            .filter(|(nick, given)| *nick == key || *given == key)
            .flat_map(|(nick, given)| [*nick, *given])
            .filter(|other| *other != key);
        for other in others {
            let other = capitalised(other);
            bases.push(format!("{other} {last}"));
            if !middle.is_empty() {
                bases.push(format!("{other} {} {last}", middle.join(" ")));
            }
        }
    }
    let mut forms: Vec<String> = Vec::new();
    for base in bases {
        for form in [title_case(&base), base] {
            if !form.is_empty() && !forms.contains(&form) && Name::parse(&form).matches(&name).is_some() {
                forms.push(form);
            }
        }
    }
    // The name as written first, whatever the case rules made of it.
    if let Some(at) = forms.iter().position(|f| *f == exact) {
        let own = forms.remove(at);
        forms.insert(0, own);
    }
    forms.truncate(MOST_FORMS);
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_cover_titles_case_middle_names_and_nicknames() {
        let forms = surface_forms("Sen. CHUCK SCHUMER");
        for expected in [
            "Sen. CHUCK SCHUMER",
            "Chuck Schumer",
            "Charles Schumer",
            "CHUCK SCHUMER",
        ] {
            assert!(forms.contains(&expected.to_owned()), "{expected} not in {forms:?}");
        }
        let forms = surface_forms("Carolyn B. Maloney");
        assert!(forms.contains(&"Carolyn Maloney".to_owned()), "{forms:?}");
        let forms = surface_forms("Emanuel Cleaver II");
        assert!(forms.contains(&"Emanuel Cleaver".to_owned()), "{forms:?}");
        let forms = surface_forms("Robert Portman");
        assert!(forms.contains(&"Rob Portman".to_owned()), "{forms:?}");
        let forms = surface_forms("Bush, George W.");
        assert!(forms.contains(&"George W. Bush".to_owned()), "{forms:?}");
        assert_eq!(surface_forms("Madonna"), ["Madonna"]);
    }

    #[test]
    fn every_form_matches_the_name() {
        for name in [
            "Beto O'Rourke",
            "Al Lawson, Jr.",
            "president Barack Obama",
            "Joseph P. Kennedy II",
        ] {
            let parsed = Name::parse(name);
            for form in surface_forms(name) {
                assert!(Name::parse(&form).matches(&parsed).is_some(), "{form} / {name}");
            }
        }
    }
}
