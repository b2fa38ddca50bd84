//! Countries: ISO 3166-1 alpha-2 codes with English names, the one table the API validates a lead's
//! country against and the SPA's country picker offers. A lead stores the upper-case alpha-2 code.
//!
//! The table is committed rather than taken from a crate: the maintained ISO 3166 crates either pull
//! in a second `thiserror`, or build-time and JavaScript dependencies, or give only the formal ISO
//! names ("Korea, Republic of"), which a picker people search by name should not lead with. Names
//! here are the short names people use (from the ISO 3166-1 list's common names), with the formal
//! names and a few everyday ones ("UK", "Holland") as aliases for reading imported files and forms.

/// One country of ISO 3166-1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country {
    /// Alpha-2, upper case: what a lead stores.
    pub code: &'static str,
    /// Alpha-3, upper case.
    pub alpha3: &'static str,
    /// The English short name shown to people.
    pub name: &'static str,
    /// Other English names it is known by (the formal ISO name among them).
    pub aliases: &'static [&'static str],
}

/// The country with this alpha-2 code, in any case and with stray spaces ("de", " DE ").
pub fn by_code(code: &str) -> Option<&'static Country> {
    let code = code.trim();
    COUNTRIES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// The country a person or a file most likely means: an alpha-2 or alpha-3 code, or a name or alias,
/// in any case ("de", "DEU", "Germany", "germany"). `None` when it names no country: nothing is
/// guessed from part of a word, so "Ger" or "Germania" are not Germany.
pub fn resolve(input: &str) -> Option<&'static Country> {
    let text = input.trim();
    if text.is_empty() {
        return None;
    }
    let folded = text.to_lowercase();
    COUNTRIES.iter().find(|c| {
        c.code.eq_ignore_ascii_case(text)
            || c.alpha3.eq_ignore_ascii_case(text)
            || c.name.to_lowercase() == folded
            || c.aliases.iter().any(|a| a.to_lowercase() == folded)
    })
}

/// The English name of a stored code, or the code itself when it is not one (old data).
pub fn name_of(code: &str) -> &str {
    by_code(code).map_or(code, |c| c.name)
}

/// The message for a country that is not a code: says what was meant when that can be told.
pub fn not_a_code(input: &str) -> String {
    match resolve(input) {
        Some(c) => format!("Use the two-letter code {} for {}.", c.code, c.name),
        None => "Choose a country from the list (an ISO 3166-1 two-letter code, e.g. DE for Germany).".into(),
    }
}

/// Every ISO 3166-1 country, sorted by name.
pub const COUNTRIES: &[Country] = &[
    Country { code: "AF", alpha3: "AFG", name: "Afghanistan", aliases: &["Islamic Republic of Afghanistan"] },
    Country { code: "AX", alpha3: "ALA", name: "Åland Islands", aliases: &[] },
    Country { code: "AL", alpha3: "ALB", name: "Albania", aliases: &["Republic of Albania"] },
    Country { code: "DZ", alpha3: "DZA", name: "Algeria", aliases: &["People's Democratic Republic of Algeria"] },
    Country { code: "AS", alpha3: "ASM", name: "American Samoa", aliases: &[] },
    Country { code: "AD", alpha3: "AND", name: "Andorra", aliases: &["Principality of Andorra"] },
    Country { code: "AO", alpha3: "AGO", name: "Angola", aliases: &["Republic of Angola"] },
    Country { code: "AI", alpha3: "AIA", name: "Anguilla", aliases: &[] },
    Country { code: "AQ", alpha3: "ATA", name: "Antarctica", aliases: &[] },
    Country { code: "AG", alpha3: "ATG", name: "Antigua and Barbuda", aliases: &[] },
    Country { code: "AR", alpha3: "ARG", name: "Argentina", aliases: &["Argentine Republic"] },
    Country { code: "AM", alpha3: "ARM", name: "Armenia", aliases: &["Republic of Armenia"] },
    Country { code: "AW", alpha3: "ABW", name: "Aruba", aliases: &[] },
    Country { code: "AU", alpha3: "AUS", name: "Australia", aliases: &[] },
    Country { code: "AT", alpha3: "AUT", name: "Austria", aliases: &["Republic of Austria", "Österreich"] },
    Country { code: "AZ", alpha3: "AZE", name: "Azerbaijan", aliases: &["Republic of Azerbaijan"] },
    Country { code: "BS", alpha3: "BHS", name: "Bahamas", aliases: &["Commonwealth of the Bahamas"] },
    Country { code: "BH", alpha3: "BHR", name: "Bahrain", aliases: &["Kingdom of Bahrain"] },
    Country { code: "BD", alpha3: "BGD", name: "Bangladesh", aliases: &["People's Republic of Bangladesh"] },
    Country { code: "BB", alpha3: "BRB", name: "Barbados", aliases: &[] },
    Country { code: "BY", alpha3: "BLR", name: "Belarus", aliases: &["Republic of Belarus"] },
    Country { code: "BE", alpha3: "BEL", name: "Belgium", aliases: &["Kingdom of Belgium"] },
    Country { code: "BZ", alpha3: "BLZ", name: "Belize", aliases: &[] },
    Country { code: "BJ", alpha3: "BEN", name: "Benin", aliases: &["Republic of Benin"] },
    Country { code: "BM", alpha3: "BMU", name: "Bermuda", aliases: &[] },
    Country { code: "BT", alpha3: "BTN", name: "Bhutan", aliases: &["Kingdom of Bhutan"] },
    Country {
        code: "BO",
        alpha3: "BOL",
        name: "Bolivia",
        aliases: &["Bolivia, Plurinational State of", "Plurinational State of Bolivia"],
    },
    Country {
        code: "BA",
        alpha3: "BIH",
        name: "Bosnia and Herzegovina",
        aliases: &["Republic of Bosnia and Herzegovina"],
    },
    Country { code: "BW", alpha3: "BWA", name: "Botswana", aliases: &["Republic of Botswana"] },
    Country { code: "BV", alpha3: "BVT", name: "Bouvet Island", aliases: &[] },
    Country { code: "BR", alpha3: "BRA", name: "Brazil", aliases: &["Federative Republic of Brazil"] },
    Country { code: "IO", alpha3: "IOT", name: "British Indian Ocean Territory", aliases: &[] },
    Country { code: "VG", alpha3: "VGB", name: "British Virgin Islands", aliases: &["Virgin Islands, British"] },
    Country { code: "BN", alpha3: "BRN", name: "Brunei", aliases: &["Brunei Darussalam"] },
    Country { code: "BG", alpha3: "BGR", name: "Bulgaria", aliases: &["Republic of Bulgaria"] },
    Country { code: "BF", alpha3: "BFA", name: "Burkina Faso", aliases: &[] },
    Country { code: "BI", alpha3: "BDI", name: "Burundi", aliases: &["Republic of Burundi"] },
    Country { code: "CV", alpha3: "CPV", name: "Cabo Verde", aliases: &["Republic of Cabo Verde", "Cape Verde"] },
    Country { code: "KH", alpha3: "KHM", name: "Cambodia", aliases: &["Kingdom of Cambodia"] },
    Country { code: "CM", alpha3: "CMR", name: "Cameroon", aliases: &["Republic of Cameroon"] },
    Country { code: "CA", alpha3: "CAN", name: "Canada", aliases: &[] },
    Country {
        code: "BQ",
        alpha3: "BES",
        name: "Caribbean Netherlands",
        aliases: &["Bonaire, Sint Eustatius and Saba"],
    },
    Country { code: "KY", alpha3: "CYM", name: "Cayman Islands", aliases: &[] },
    Country { code: "CF", alpha3: "CAF", name: "Central African Republic", aliases: &[] },
    Country { code: "TD", alpha3: "TCD", name: "Chad", aliases: &["Republic of Chad"] },
    Country { code: "CL", alpha3: "CHL", name: "Chile", aliases: &["Republic of Chile"] },
    Country { code: "CN", alpha3: "CHN", name: "China", aliases: &["People's Republic of China"] },
    Country { code: "CX", alpha3: "CXR", name: "Christmas Island", aliases: &[] },
    Country { code: "CC", alpha3: "CCK", name: "Cocos (Keeling) Islands", aliases: &[] },
    Country { code: "CO", alpha3: "COL", name: "Colombia", aliases: &["Republic of Colombia"] },
    Country { code: "KM", alpha3: "COM", name: "Comoros", aliases: &["Union of the Comoros"] },
    Country { code: "CG", alpha3: "COG", name: "Congo", aliases: &["Republic of the Congo"] },
    Country {
        code: "CD",
        alpha3: "COD",
        name: "Congo (Democratic Republic)",
        aliases: &["Congo, The Democratic Republic of the"],
    },
    Country { code: "CK", alpha3: "COK", name: "Cook Islands", aliases: &[] },
    Country { code: "CR", alpha3: "CRI", name: "Costa Rica", aliases: &["Republic of Costa Rica"] },
    Country {
        code: "CI",
        alpha3: "CIV",
        name: "Côte d'Ivoire",
        aliases: &["Republic of Côte d'Ivoire", "Ivory Coast"],
    },
    Country { code: "HR", alpha3: "HRV", name: "Croatia", aliases: &["Republic of Croatia"] },
    Country { code: "CU", alpha3: "CUB", name: "Cuba", aliases: &["Republic of Cuba"] },
    Country { code: "CW", alpha3: "CUW", name: "Curaçao", aliases: &[] },
    Country { code: "CY", alpha3: "CYP", name: "Cyprus", aliases: &["Republic of Cyprus"] },
    Country { code: "CZ", alpha3: "CZE", name: "Czechia", aliases: &["Czech Republic"] },
    Country { code: "DK", alpha3: "DNK", name: "Denmark", aliases: &["Kingdom of Denmark"] },
    Country { code: "DJ", alpha3: "DJI", name: "Djibouti", aliases: &["Republic of Djibouti"] },
    Country { code: "DM", alpha3: "DMA", name: "Dominica", aliases: &["Commonwealth of Dominica"] },
    Country { code: "DO", alpha3: "DOM", name: "Dominican Republic", aliases: &[] },
    Country { code: "EC", alpha3: "ECU", name: "Ecuador", aliases: &["Republic of Ecuador"] },
    Country { code: "EG", alpha3: "EGY", name: "Egypt", aliases: &["Arab Republic of Egypt"] },
    Country { code: "SV", alpha3: "SLV", name: "El Salvador", aliases: &["Republic of El Salvador"] },
    Country { code: "GQ", alpha3: "GNQ", name: "Equatorial Guinea", aliases: &["Republic of Equatorial Guinea"] },
    Country { code: "ER", alpha3: "ERI", name: "Eritrea", aliases: &["the State of Eritrea"] },
    Country { code: "EE", alpha3: "EST", name: "Estonia", aliases: &["Republic of Estonia"] },
    Country { code: "SZ", alpha3: "SWZ", name: "Eswatini", aliases: &["Kingdom of Eswatini", "Swaziland"] },
    Country { code: "ET", alpha3: "ETH", name: "Ethiopia", aliases: &["Federal Democratic Republic of Ethiopia"] },
    Country { code: "FK", alpha3: "FLK", name: "Falkland Islands", aliases: &["Falkland Islands (Malvinas)"] },
    Country { code: "FO", alpha3: "FRO", name: "Faroe Islands", aliases: &[] },
    Country { code: "FJ", alpha3: "FJI", name: "Fiji", aliases: &["Republic of Fiji"] },
    Country { code: "FI", alpha3: "FIN", name: "Finland", aliases: &["Republic of Finland"] },
    Country { code: "FR", alpha3: "FRA", name: "France", aliases: &["French Republic"] },
    Country { code: "GF", alpha3: "GUF", name: "French Guiana", aliases: &[] },
    Country { code: "PF", alpha3: "PYF", name: "French Polynesia", aliases: &[] },
    Country { code: "TF", alpha3: "ATF", name: "French Southern Territories", aliases: &[] },
    Country { code: "GA", alpha3: "GAB", name: "Gabon", aliases: &["Gabonese Republic"] },
    Country { code: "GM", alpha3: "GMB", name: "Gambia", aliases: &["Republic of the Gambia"] },
    Country { code: "GE", alpha3: "GEO", name: "Georgia", aliases: &[] },
    Country { code: "DE", alpha3: "DEU", name: "Germany", aliases: &["Federal Republic of Germany", "Deutschland"] },
    Country { code: "GH", alpha3: "GHA", name: "Ghana", aliases: &["Republic of Ghana"] },
    Country { code: "GI", alpha3: "GIB", name: "Gibraltar", aliases: &[] },
    Country { code: "GR", alpha3: "GRC", name: "Greece", aliases: &["Hellenic Republic"] },
    Country { code: "GL", alpha3: "GRL", name: "Greenland", aliases: &[] },
    Country { code: "GD", alpha3: "GRD", name: "Grenada", aliases: &[] },
    Country { code: "GP", alpha3: "GLP", name: "Guadeloupe", aliases: &[] },
    Country { code: "GU", alpha3: "GUM", name: "Guam", aliases: &[] },
    Country { code: "GT", alpha3: "GTM", name: "Guatemala", aliases: &["Republic of Guatemala"] },
    Country { code: "GG", alpha3: "GGY", name: "Guernsey", aliases: &[] },
    Country { code: "GN", alpha3: "GIN", name: "Guinea", aliases: &["Republic of Guinea"] },
    Country { code: "GW", alpha3: "GNB", name: "Guinea-Bissau", aliases: &["Republic of Guinea-Bissau"] },
    Country { code: "GY", alpha3: "GUY", name: "Guyana", aliases: &["Republic of Guyana"] },
    Country { code: "HT", alpha3: "HTI", name: "Haiti", aliases: &["Republic of Haiti"] },
    Country { code: "HM", alpha3: "HMD", name: "Heard Island and McDonald Islands", aliases: &[] },
    Country { code: "HN", alpha3: "HND", name: "Honduras", aliases: &["Republic of Honduras"] },
    Country {
        code: "HK",
        alpha3: "HKG",
        name: "Hong Kong",
        aliases: &["Hong Kong Special Administrative Region of China"],
    },
    Country { code: "HU", alpha3: "HUN", name: "Hungary", aliases: &[] },
    Country { code: "IS", alpha3: "ISL", name: "Iceland", aliases: &["Republic of Iceland"] },
    Country { code: "IN", alpha3: "IND", name: "India", aliases: &["Republic of India"] },
    Country { code: "ID", alpha3: "IDN", name: "Indonesia", aliases: &["Republic of Indonesia"] },
    Country {
        code: "IR",
        alpha3: "IRN",
        name: "Iran",
        aliases: &["Iran, Islamic Republic of", "Islamic Republic of Iran"],
    },
    Country { code: "IQ", alpha3: "IRQ", name: "Iraq", aliases: &["Republic of Iraq"] },
    Country { code: "IE", alpha3: "IRL", name: "Ireland", aliases: &[] },
    Country { code: "IM", alpha3: "IMN", name: "Isle of Man", aliases: &[] },
    Country { code: "IL", alpha3: "ISR", name: "Israel", aliases: &["State of Israel"] },
    Country { code: "IT", alpha3: "ITA", name: "Italy", aliases: &["Italian Republic"] },
    Country { code: "JM", alpha3: "JAM", name: "Jamaica", aliases: &[] },
    Country { code: "JP", alpha3: "JPN", name: "Japan", aliases: &[] },
    Country { code: "JE", alpha3: "JEY", name: "Jersey", aliases: &[] },
    Country { code: "JO", alpha3: "JOR", name: "Jordan", aliases: &["Hashemite Kingdom of Jordan"] },
    Country { code: "KZ", alpha3: "KAZ", name: "Kazakhstan", aliases: &["Republic of Kazakhstan"] },
    Country { code: "KE", alpha3: "KEN", name: "Kenya", aliases: &["Republic of Kenya"] },
    Country { code: "KI", alpha3: "KIR", name: "Kiribati", aliases: &["Republic of Kiribati"] },
    Country { code: "KW", alpha3: "KWT", name: "Kuwait", aliases: &["State of Kuwait"] },
    Country { code: "KG", alpha3: "KGZ", name: "Kyrgyzstan", aliases: &["Kyrgyz Republic"] },
    Country { code: "LA", alpha3: "LAO", name: "Laos", aliases: &["Lao People's Democratic Republic"] },
    Country { code: "LV", alpha3: "LVA", name: "Latvia", aliases: &["Republic of Latvia"] },
    Country { code: "LB", alpha3: "LBN", name: "Lebanon", aliases: &["Lebanese Republic"] },
    Country { code: "LS", alpha3: "LSO", name: "Lesotho", aliases: &["Kingdom of Lesotho"] },
    Country { code: "LR", alpha3: "LBR", name: "Liberia", aliases: &["Republic of Liberia"] },
    Country { code: "LY", alpha3: "LBY", name: "Libya", aliases: &[] },
    Country { code: "LI", alpha3: "LIE", name: "Liechtenstein", aliases: &["Principality of Liechtenstein"] },
    Country { code: "LT", alpha3: "LTU", name: "Lithuania", aliases: &["Republic of Lithuania"] },
    Country { code: "LU", alpha3: "LUX", name: "Luxembourg", aliases: &["Grand Duchy of Luxembourg"] },
    Country { code: "MO", alpha3: "MAC", name: "Macao", aliases: &["Macao Special Administrative Region of China"] },
    Country { code: "MG", alpha3: "MDG", name: "Madagascar", aliases: &["Republic of Madagascar"] },
    Country { code: "MW", alpha3: "MWI", name: "Malawi", aliases: &["Republic of Malawi"] },
    Country { code: "MY", alpha3: "MYS", name: "Malaysia", aliases: &[] },
    Country { code: "MV", alpha3: "MDV", name: "Maldives", aliases: &["Republic of Maldives"] },
    Country { code: "ML", alpha3: "MLI", name: "Mali", aliases: &["Republic of Mali"] },
    Country { code: "MT", alpha3: "MLT", name: "Malta", aliases: &["Republic of Malta"] },
    Country { code: "MH", alpha3: "MHL", name: "Marshall Islands", aliases: &["Republic of the Marshall Islands"] },
    Country { code: "MQ", alpha3: "MTQ", name: "Martinique", aliases: &[] },
    Country { code: "MR", alpha3: "MRT", name: "Mauritania", aliases: &["Islamic Republic of Mauritania"] },
    Country { code: "MU", alpha3: "MUS", name: "Mauritius", aliases: &["Republic of Mauritius"] },
    Country { code: "YT", alpha3: "MYT", name: "Mayotte", aliases: &[] },
    Country { code: "MX", alpha3: "MEX", name: "Mexico", aliases: &["United Mexican States"] },
    Country {
        code: "FM",
        alpha3: "FSM",
        name: "Micronesia",
        aliases: &["Micronesia, Federated States of", "Federated States of Micronesia"],
    },
    Country { code: "MD", alpha3: "MDA", name: "Moldova", aliases: &["Moldova, Republic of", "Republic of Moldova"] },
    Country { code: "MC", alpha3: "MCO", name: "Monaco", aliases: &["Principality of Monaco"] },
    Country { code: "MN", alpha3: "MNG", name: "Mongolia", aliases: &[] },
    Country { code: "ME", alpha3: "MNE", name: "Montenegro", aliases: &[] },
    Country { code: "MS", alpha3: "MSR", name: "Montserrat", aliases: &[] },
    Country { code: "MA", alpha3: "MAR", name: "Morocco", aliases: &["Kingdom of Morocco"] },
    Country { code: "MZ", alpha3: "MOZ", name: "Mozambique", aliases: &["Republic of Mozambique"] },
    Country { code: "MM", alpha3: "MMR", name: "Myanmar", aliases: &["Republic of Myanmar", "Burma"] },
    Country { code: "NA", alpha3: "NAM", name: "Namibia", aliases: &["Republic of Namibia"] },
    Country { code: "NR", alpha3: "NRU", name: "Nauru", aliases: &["Republic of Nauru"] },
    Country { code: "NP", alpha3: "NPL", name: "Nepal", aliases: &["Federal Democratic Republic of Nepal"] },
    Country {
        code: "NL",
        alpha3: "NLD",
        name: "Netherlands",
        aliases: &["Kingdom of the Netherlands", "Holland", "The Netherlands"],
    },
    Country { code: "NC", alpha3: "NCL", name: "New Caledonia", aliases: &[] },
    Country { code: "NZ", alpha3: "NZL", name: "New Zealand", aliases: &[] },
    Country { code: "NI", alpha3: "NIC", name: "Nicaragua", aliases: &["Republic of Nicaragua"] },
    Country { code: "NE", alpha3: "NER", name: "Niger", aliases: &["Republic of the Niger"] },
    Country { code: "NG", alpha3: "NGA", name: "Nigeria", aliases: &["Federal Republic of Nigeria"] },
    Country { code: "NU", alpha3: "NIU", name: "Niue", aliases: &[] },
    Country { code: "NF", alpha3: "NFK", name: "Norfolk Island", aliases: &[] },
    Country {
        code: "KP",
        alpha3: "PRK",
        name: "North Korea",
        aliases: &["Korea, Democratic People's Republic of", "Democratic People's Republic of Korea"],
    },
    Country {
        code: "MK",
        alpha3: "MKD",
        name: "North Macedonia",
        aliases: &["Republic of North Macedonia", "Macedonia"],
    },
    Country {
        code: "MP",
        alpha3: "MNP",
        name: "Northern Mariana Islands",
        aliases: &["Commonwealth of the Northern Mariana Islands"],
    },
    Country { code: "NO", alpha3: "NOR", name: "Norway", aliases: &["Kingdom of Norway"] },
    Country { code: "OM", alpha3: "OMN", name: "Oman", aliases: &["Sultanate of Oman"] },
    Country { code: "PK", alpha3: "PAK", name: "Pakistan", aliases: &["Islamic Republic of Pakistan"] },
    Country { code: "PW", alpha3: "PLW", name: "Palau", aliases: &["Republic of Palau"] },
    Country {
        code: "PS",
        alpha3: "PSE",
        name: "Palestine",
        aliases: &["Palestine, State of", "the State of Palestine"],
    },
    Country { code: "PA", alpha3: "PAN", name: "Panama", aliases: &["Republic of Panama"] },
    Country {
        code: "PG",
        alpha3: "PNG",
        name: "Papua New Guinea",
        aliases: &["Independent State of Papua New Guinea"],
    },
    Country { code: "PY", alpha3: "PRY", name: "Paraguay", aliases: &["Republic of Paraguay"] },
    Country { code: "PE", alpha3: "PER", name: "Peru", aliases: &["Republic of Peru"] },
    Country { code: "PH", alpha3: "PHL", name: "Philippines", aliases: &["Republic of the Philippines"] },
    Country { code: "PN", alpha3: "PCN", name: "Pitcairn", aliases: &[] },
    Country { code: "PL", alpha3: "POL", name: "Poland", aliases: &["Republic of Poland"] },
    Country { code: "PT", alpha3: "PRT", name: "Portugal", aliases: &["Portuguese Republic"] },
    Country { code: "PR", alpha3: "PRI", name: "Puerto Rico", aliases: &[] },
    Country { code: "QA", alpha3: "QAT", name: "Qatar", aliases: &["State of Qatar"] },
    Country { code: "RE", alpha3: "REU", name: "Réunion", aliases: &[] },
    Country { code: "RO", alpha3: "ROU", name: "Romania", aliases: &[] },
    Country { code: "RU", alpha3: "RUS", name: "Russia", aliases: &["Russian Federation"] },
    Country { code: "RW", alpha3: "RWA", name: "Rwanda", aliases: &["Rwandese Republic"] },
    Country { code: "BL", alpha3: "BLM", name: "Saint Barthélemy", aliases: &[] },
    Country { code: "SH", alpha3: "SHN", name: "Saint Helena, Ascension and Tristan da Cunha", aliases: &[] },
    Country { code: "KN", alpha3: "KNA", name: "Saint Kitts and Nevis", aliases: &[] },
    Country { code: "LC", alpha3: "LCA", name: "Saint Lucia", aliases: &[] },
    Country { code: "MF", alpha3: "MAF", name: "Saint Martin (French part)", aliases: &[] },
    Country { code: "PM", alpha3: "SPM", name: "Saint Pierre and Miquelon", aliases: &[] },
    Country { code: "VC", alpha3: "VCT", name: "Saint Vincent and the Grenadines", aliases: &[] },
    Country { code: "WS", alpha3: "WSM", name: "Samoa", aliases: &["Independent State of Samoa"] },
    Country { code: "SM", alpha3: "SMR", name: "San Marino", aliases: &["Republic of San Marino"] },
    Country {
        code: "ST",
        alpha3: "STP",
        name: "Sao Tome and Principe",
        aliases: &["Democratic Republic of Sao Tome and Principe"],
    },
    Country { code: "SA", alpha3: "SAU", name: "Saudi Arabia", aliases: &["Kingdom of Saudi Arabia"] },
    Country { code: "SN", alpha3: "SEN", name: "Senegal", aliases: &["Republic of Senegal"] },
    Country { code: "RS", alpha3: "SRB", name: "Serbia", aliases: &["Republic of Serbia"] },
    Country { code: "SC", alpha3: "SYC", name: "Seychelles", aliases: &["Republic of Seychelles"] },
    Country { code: "SL", alpha3: "SLE", name: "Sierra Leone", aliases: &["Republic of Sierra Leone"] },
    Country { code: "SG", alpha3: "SGP", name: "Singapore", aliases: &["Republic of Singapore"] },
    Country { code: "SX", alpha3: "SXM", name: "Sint Maarten (Dutch part)", aliases: &[] },
    Country { code: "SK", alpha3: "SVK", name: "Slovakia", aliases: &["Slovak Republic"] },
    Country { code: "SI", alpha3: "SVN", name: "Slovenia", aliases: &["Republic of Slovenia"] },
    Country { code: "SB", alpha3: "SLB", name: "Solomon Islands", aliases: &[] },
    Country { code: "SO", alpha3: "SOM", name: "Somalia", aliases: &["Federal Republic of Somalia"] },
    Country { code: "ZA", alpha3: "ZAF", name: "South Africa", aliases: &["Republic of South Africa"] },
    Country { code: "GS", alpha3: "SGS", name: "South Georgia and the South Sandwich Islands", aliases: &[] },
    Country { code: "KR", alpha3: "KOR", name: "South Korea", aliases: &["Korea, Republic of", "Korea"] },
    Country { code: "SS", alpha3: "SSD", name: "South Sudan", aliases: &["Republic of South Sudan"] },
    Country { code: "ES", alpha3: "ESP", name: "Spain", aliases: &["Kingdom of Spain", "España"] },
    Country { code: "LK", alpha3: "LKA", name: "Sri Lanka", aliases: &["Democratic Socialist Republic of Sri Lanka"] },
    Country { code: "SD", alpha3: "SDN", name: "Sudan", aliases: &["Republic of the Sudan"] },
    Country { code: "SR", alpha3: "SUR", name: "Suriname", aliases: &["Republic of Suriname"] },
    Country { code: "SJ", alpha3: "SJM", name: "Svalbard and Jan Mayen", aliases: &[] },
    Country { code: "SE", alpha3: "SWE", name: "Sweden", aliases: &["Kingdom of Sweden"] },
    Country { code: "CH", alpha3: "CHE", name: "Switzerland", aliases: &["Swiss Confederation", "Schweiz", "Suisse"] },
    Country { code: "SY", alpha3: "SYR", name: "Syria", aliases: &["Syrian Arab Republic"] },
    Country { code: "TW", alpha3: "TWN", name: "Taiwan", aliases: &["Taiwan, Province of China"] },
    Country { code: "TJ", alpha3: "TJK", name: "Tajikistan", aliases: &["Republic of Tajikistan"] },
    Country {
        code: "TZ",
        alpha3: "TZA",
        name: "Tanzania",
        aliases: &["Tanzania, United Republic of", "United Republic of Tanzania"],
    },
    Country { code: "TH", alpha3: "THA", name: "Thailand", aliases: &["Kingdom of Thailand"] },
    Country {
        code: "TL",
        alpha3: "TLS",
        name: "Timor-Leste",
        aliases: &["Democratic Republic of Timor-Leste", "East Timor"],
    },
    Country { code: "TG", alpha3: "TGO", name: "Togo", aliases: &["Togolese Republic"] },
    Country { code: "TK", alpha3: "TKL", name: "Tokelau", aliases: &[] },
    Country { code: "TO", alpha3: "TON", name: "Tonga", aliases: &["Kingdom of Tonga"] },
    Country { code: "TT", alpha3: "TTO", name: "Trinidad and Tobago", aliases: &["Republic of Trinidad and Tobago"] },
    Country { code: "TN", alpha3: "TUN", name: "Tunisia", aliases: &["Republic of Tunisia"] },
    Country { code: "TR", alpha3: "TUR", name: "Türkiye", aliases: &["Republic of Türkiye", "Turkey"] },
    Country { code: "TM", alpha3: "TKM", name: "Turkmenistan", aliases: &[] },
    Country { code: "TC", alpha3: "TCA", name: "Turks and Caicos Islands", aliases: &[] },
    Country { code: "TV", alpha3: "TUV", name: "Tuvalu", aliases: &[] },
    Country {
        code: "VI",
        alpha3: "VIR",
        name: "U.S. Virgin Islands",
        aliases: &["Virgin Islands, U.S.", "Virgin Islands of the United States"],
    },
    Country { code: "UG", alpha3: "UGA", name: "Uganda", aliases: &["Republic of Uganda"] },
    Country { code: "UA", alpha3: "UKR", name: "Ukraine", aliases: &[] },
    Country { code: "AE", alpha3: "ARE", name: "United Arab Emirates", aliases: &["UAE"] },
    Country {
        code: "GB",
        alpha3: "GBR",
        name: "United Kingdom",
        aliases: &[
            "United Kingdom of Great Britain and Northern Ireland",
            "UK",
            "Great Britain",
            "England",
            "Scotland",
            "Wales",
            "Northern Ireland",
        ],
    },
    Country {
        code: "US",
        alpha3: "USA",
        name: "United States",
        aliases: &["United States of America", "USA", "America"],
    },
    Country { code: "UM", alpha3: "UMI", name: "United States Minor Outlying Islands", aliases: &[] },
    Country { code: "UY", alpha3: "URY", name: "Uruguay", aliases: &["Eastern Republic of Uruguay"] },
    Country { code: "UZ", alpha3: "UZB", name: "Uzbekistan", aliases: &["Republic of Uzbekistan"] },
    Country { code: "VU", alpha3: "VUT", name: "Vanuatu", aliases: &["Republic of Vanuatu"] },
    Country {
        code: "VA",
        alpha3: "VAT",
        name: "Vatican City",
        aliases: &["Holy See (Vatican City State)", "Holy See"],
    },
    Country {
        code: "VE",
        alpha3: "VEN",
        name: "Venezuela",
        aliases: &["Venezuela, Bolivarian Republic of", "Bolivarian Republic of Venezuela"],
    },
    Country { code: "VN", alpha3: "VNM", name: "Vietnam", aliases: &["Viet Nam", "Socialist Republic of Viet Nam"] },
    Country { code: "WF", alpha3: "WLF", name: "Wallis and Futuna", aliases: &[] },
    Country { code: "EH", alpha3: "ESH", name: "Western Sahara", aliases: &[] },
    Country { code: "YE", alpha3: "YEM", name: "Yemen", aliases: &["Republic of Yemen"] },
    Country { code: "ZM", alpha3: "ZMB", name: "Zambia", aliases: &["Republic of Zambia"] },
    Country { code: "ZW", alpha3: "ZWE", name: "Zimbabwe", aliases: &["Republic of Zimbabwe"] },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_upper_case_pairs_of_letters_and_the_list_is_sorted_by_name() {
        assert_eq!(COUNTRIES.len(), 249);
        let mut codes: Vec<&str> = COUNTRIES.iter().map(|c| c.code).collect();
        assert!(codes.iter().all(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase())));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), COUNTRIES.len());
        let plain = |s: &str| -> String {
            s.to_lowercase()
                .chars()
                .map(|c| match c {
                    'å' => 'a',
                    'é' => 'e',
                    'ô' => 'o',
                    'ç' => 'c',
                    'ü' => 'u',
                    c => c,
                })
                .collect()
        };
        assert!(COUNTRIES.windows(2).all(|w| plain(w[0].name) <= plain(w[1].name)), "sorted by name");
    }

    #[test]
    fn a_country_is_found_by_code_or_name_in_any_case_and_nothing_is_guessed() {
        assert_eq!(by_code("de").map(|c| c.name), Some("Germany"));
        assert_eq!(by_code(" GE ").map(|c| c.name), Some("Georgia"));
        assert_eq!(by_code("Germany"), None, "a name is not a code");
        assert_eq!(by_code("XX"), None);
        for input in ["DE", "de", "DEU", "Germany", "GERMANY", " germany ", "Deutschland"] {
            assert_eq!(resolve(input).map(|c| c.code), Some("DE"), "{input}");
        }
        assert_eq!(resolve("UK").map(|c| c.code), Some("GB"));
        assert_eq!(resolve("Korea, Republic of").map(|c| c.code), Some("KR"));
        for input in ["", "Ger", "Germania", "XX", "G"] {
            assert_eq!(resolve(input), None, "{input}");
        }
        assert_eq!(name_of("FR"), "France");
        assert_eq!(name_of("ZZ"), "ZZ");
        assert_eq!(not_a_code("Germany"), "Use the two-letter code DE for Germany.");
    }
}
