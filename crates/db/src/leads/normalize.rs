//! Normalizing what channels give us: names, emails, phones, and the fields a duplicate rule compares.

use super::*;

/// E.164 form of a phone number, reading national numbers with the lead's country.
pub fn normalize_phone(raw: &str, country: Option<&str>) -> Option<String> {
    let region = country.and_then(|c| c.to_uppercase().parse::<phonenumber::country::Id>().ok());
    let number = phonenumber::parse(region, raw.trim()).ok()?;
    phonenumber::is_valid(&number).then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

pub(super) fn clean(s: &str) -> String {
    s.trim().to_owned()
}

pub(super) fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The values stored for a lead, normalized; shared by create, update and attach.
#[derive(Clone, Debug)]
pub(super) struct Fields {
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) title: String,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) company_name: String,
    pub(super) company_website: Option<String>,
    pub(super) company_size: Option<i32>,
    pub(super) industry: Option<String>,
    pub(super) country: Option<String>,
}

impl Fields {
    pub(super) fn email_normalized(&self) -> Option<String> {
        self.email.as_deref().map(normalize_email)
    }
    pub(super) fn phone_e164(&self) -> Option<String> {
        self.phone.as_deref().and_then(|p| normalize_phone(p, self.country.as_deref()))
    }
    pub(super) fn company_domain(&self) -> Option<String> {
        self.company_website
            .as_deref()
            .and_then(normalize_domain)
            .or_else(|| self.email.as_deref().and_then(company_domain_of_email))
    }
    pub(super) fn sort_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name).trim().to_lowercase();
        if !name.is_empty() {
            name
        } else {
            self.email.clone().unwrap_or_else(|| self.company_name.to_lowercase())
        }
    }
    pub(super) fn search_text(&self) -> String {
        [
            self.first_name.as_str(),
            self.last_name.as_str(),
            self.email.as_deref().unwrap_or(""),
            self.company_name.as_str(),
            self.phone.as_deref().unwrap_or(""),
        ]
        .join(" ")
        .to_lowercase()
    }
    pub(super) fn check(&self) -> Vec<FieldError> {
        kith_domain::leads::website_problem(self.company_website.as_deref()).into_iter().collect()
    }
}

pub(super) fn fields_of_new(new: &NewLead) -> Fields {
    Fields {
        first_name: clean(&new.first_name),
        last_name: clean(&new.last_name),
        title: clean(&new.title),
        email: clean_opt(new.email.as_deref()).map(|e| normalize_email(&e)),
        phone: clean_opt(new.phone.as_deref()),
        company_name: clean(&new.company_name),
        company_website: clean_opt(new.company_website.as_deref()),
        company_size: new.company_size,
        industry: clean_opt(new.industry.as_deref()),
        country: clean_opt(new.country.as_deref()).map(|c| c.to_uppercase()),
    }
}

pub(super) fn fields_of_view(v: &LeadView) -> Fields {
    Fields {
        first_name: v.first_name.clone(),
        last_name: v.last_name.clone(),
        title: v.title.clone(),
        email: v.email.clone(),
        phone: v.phone.clone(),
        company_name: v.company_name.clone(),
        company_website: v.company_domain.clone(),
        company_size: v.company_size,
        industry: v.industry.clone(),
        country: v.country.clone(),
    }
}
