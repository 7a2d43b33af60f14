//! The vocabulary: saidgraph's own terms as constants, the speech acts, the built-in
//! prefixes, and the ontology files compiled into the binary.
//!
//! Every `sg:` and `act:` IRI the mapping can emit is a constant here, and a test checks
//! each one is declared in `ontology/`.

use oxigraph::model::NamedNodeRef;

/// `sg:`, the namespace of saidgraph's classes and properties.
pub const SG: &str = "https://w3id.org/saidgraph#";
/// `act:`, the namespace of the speech-act concepts.
pub const ACT: &str = "https://w3id.org/saidgraph/act#";

/// The ontology, in Turtle, as shipped in `ontology/`.
pub const ONTOLOGY_FILES: [(&str, &str); 3] = [
    ("ontology/saidgraph.ttl", include_str!("../ontology/saidgraph.ttl")),
    ("ontology/acts.ttl", include_str!("../ontology/acts.ttl")),
    ("ontology/cameo.ttl", CAMEO_TTL),
];

const CAMEO_TTL: &str = include_str!("../ontology/cameo.ttl");

/// The named graph a store keeps the ontology in, apart from the data.
pub const ONTOLOGY_GRAPH: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("https://w3id.org/saidgraph");

/// The named graph a store keeps its datasets' provenance in: one `dcat:Dataset` per
/// dataset, whose subject is the dataset's own graph (`BASE graph/NAME`).
pub const DATASETS_GRAPH: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("https://w3id.org/saidgraph/datasets");

/// Prefixes every input may use, bound as Wikidata's own RDF binds them.
pub const PREFIXES: [(&str, &str); 14] = [
    ("act", ACT),
    ("dbr", "http://dbpedia.org/resource/"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("schema", "http://schema.org/"),
    ("sg", SG),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("wd", "http://www.wikidata.org/entity/"),
    ("wdt", "http://www.wikidata.org/prop/direct/"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// Each kind of record's prefix and the path segment its IRIs take under a base:
/// `entity:` is `{base}entity/`. A record's IRI is its base, this segment and its id
/// (`resolve::mint`); a test in `query` checks that the two agree.
pub const RECORD_NAMESPACES: [(&str, &str); 4] = [
    ("source", "source/"),
    ("entity", "entity/"),
    ("statement", "statement/"),
    ("relation", "relation/"),
];

/// The prefixes exports may declare: the built-in ones, and for a single base the
/// namespaces of its entities, statements, sources and relations.
pub fn prefixes_for(bases: &[String]) -> Vec<(String, String)> {
    let mut prefixes: Vec<(String, String)> = PREFIXES
        .iter()
        .map(|(p, n)| ((*p).to_owned(), (*n).to_owned()))
        .collect();
    if let [base] = bases {
        for (prefix, segment) in RECORD_NAMESPACES {
            prefixes.push((prefix.to_owned(), format!("{base}{segment}")));
        }
    }
    prefixes.sort();
    prefixes
}

macro_rules! terms {
    ($ns:literal; $($(#[$doc:meta])* $name:ident = $local:literal;)*) => {
        $($(#[$doc])* pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked(concat!($ns, $local));)*
        /// Every term of this namespace, for the test that they are all declared.
        pub const ALL: &[NamedNodeRef<'static>] = &[$($name),*];
    };
}

/// saidgraph's classes and properties.
pub mod sg {
    use super::NamedNodeRef;

    terms! { "https://w3id.org/saidgraph#";
        STATEMENT = "Statement";
        ENTITY = "Entity";
        PERSON = "Person";
        ORGANIZATION = "Organization";
        COUNTRY = "Country";
        OUTLET = "Outlet";
        GROUP = "Group";
        PLACE = "Place";
        EVENT = "Event";
        AGREEMENT = "Agreement";
        SOURCE = "Source";
        RELATION = "Relation";
        SPEAKER = "speaker";
        ADDRESSEE = "addressee";
        ABOUT = "about";
        ACT = "act";
        QUOTE = "quote";
        SUMMARY = "summary";
        DATE = "date";
        PLACE_PROPERTY = "place";
        SOURCE_PROPERTY = "source";
        REPORTED_BY = "reportedBy";
        IN_REPLY_TO = "inReplyTo";
        STANCE = "stance";
        CONFIDENCE = "confidence";
        SUPPORT = "support";
        OPPOSE = "oppose";
        CONCERN = "concern";
        NEUTRAL = "neutral";
        MEMBER_OF = "memberOf";
        PART_OF = "partOf";
        LEADER_OF = "leaderOf";
        SPOKESPERSON_OF = "spokespersonOf";
        AMBASSADOR_OF = "ambassadorOf";
        ALLY_OF = "allyOf";
        PARTY_TO = "partyTo";
        LOCATED_IN = "locatedIn";
        SUBJECT = "subject";
        PREDICATE = "predicate";
        OBJECT = "object";
        QUAD_CLASS = "quadClass";
        GOLDSTEIN_SCALE = "goldsteinScale";
        NUM_MENTIONS = "numMentions";
        NUM_SOURCES = "numSources";
        NUM_ARTICLES = "numArticles";
        AVG_TONE = "avgTone";
        SAME_AS_CANDIDATE = "sameAsCandidate";
        /// The saidgraph version that loaded a dataset (metadata graph).
        SAIDGRAPH_VERSION = "saidgraphVersion";
        /// How many records a dataset holds (metadata graph).
        RECORD_COUNT = "recordCount";
        /// How many triples a dataset's inputs mapped to (metadata graph).
        TRIPLE_COUNT = "tripleCount";
        /// `sha256:` and the hash of a dataset's inputs' bytes, in order (metadata graph).
        CONTENT_HASH = "contentHash";
        /// A base a dataset's records were minted with (metadata graph).
        BASE = "base";
        /// From a property partition to the part of one object value (metadata graph).
        VALUE_PARTITION = "valuePartition";
        /// The property whose distinct values a value partition counts among each value's
        /// subjects (metadata graph).
        CO_PROPERTY = "coProperty";
        /// How many distinct values of the partition's co-property a value's subjects have
        /// (metadata graph).
        DISTINCT_CO_VALUES = "distinctCoValues";
        /// From a dataset to the counts of the pairs of values of two properties (metadata graph).
        PAIR_PARTITION = "pairPartition";
        /// The property whose value is the first of a pair partition's pairs (metadata graph).
        FIRST_PROPERTY = "firstProperty";
        /// The property whose value is the second of a pair partition's pairs (metadata graph).
        SECOND_PROPERTY = "secondProperty";
        /// At most how many subjects a pair a partition does not list has (metadata graph).
        UNLISTED_AT_MOST = "unlistedAtMost";
        /// From a pair partition to one pair it lists (metadata graph).
        PAIR = "pair";
        /// A listed pair's value of the first property (metadata graph).
        FIRST_VALUE = "firstValue";
        /// A listed pair's value of the second property (metadata graph).
        SECOND_VALUE = "secondValue";
        /// An input's size in bytes (metadata graph).
        BYTE_SIZE = "byteSize";
        /// An input's SHA-256, in lowercase hex (metadata graph).
        SHA256 = "sha256";
    }
}

/// The standard terms the mapping uses besides its own.
pub mod std_terms {
    use super::NamedNodeRef;

    /// `void:propertyPartition`, `void:property`, `void:triples`: the value counts that
    /// `load` keeps in the metadata (`store::summary`).
    pub const VOID_PROPERTY_PARTITION: NamedNodeRef<'static> =
        NamedNodeRef::new_unchecked("http://rdfs.org/ns/void#propertyPartition");
    pub const VOID_PROPERTY: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://rdfs.org/ns/void#property");
    pub const VOID_TRIPLES: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://rdfs.org/ns/void#triples");
    /// `void:entities`: how many subjects a listed pair of values has (`store::pairs`).
    pub const VOID_ENTITIES: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://rdfs.org/ns/void#entities");

    pub const RDFS_LABEL: NamedNodeRef<'static> =
        NamedNodeRef::new_unchecked("http://www.w3.org/2000/01/rdf-schema#label");
    pub const RDFS_COMMENT: NamedNodeRef<'static> =
        NamedNodeRef::new_unchecked("http://www.w3.org/2000/01/rdf-schema#comment");
    pub const SKOS_ALT_LABEL: NamedNodeRef<'static> =
        NamedNodeRef::new_unchecked("http://www.w3.org/2004/02/skos/core#altLabel");
    pub const OWL_SAME_AS: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#sameAs");
    pub const DCTERMS_TITLE: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/title");
    pub const DCTERMS_PUBLISHER: NamedNodeRef<'static> =
        NamedNodeRef::new_unchecked("http://purl.org/dc/terms/publisher");
    pub const DCTERMS_ISSUED: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/issued");
    pub const DCTERMS_LANGUAGE: NamedNodeRef<'static> =
        NamedNodeRef::new_unchecked("http://purl.org/dc/terms/language");
    pub const SCHEMA_URL: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("http://schema.org/url");
}

/// A speech act of the contract's list: its name (the `act:` local name) and CAMEO code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Act {
    pub name: &'static str,
    pub cameo: Option<&'static str>,
}

impl Act {
    pub const DEFAULT: Self = Self {
        name: "say",
        cameo: Some("010"),
    };

    /// A named act, or a CAMEO code's concept by its local name (`cameo-042`).
    pub fn by_name(name: &str) -> Option<Self> {
        ACTS.iter()
            .copied()
            .find(|act| act.name == name)
            .or_else(|| cameo_concepts().iter().copied().find(|act| act.name == name))
    }

    /// The act of a CAMEO event code: the named act that has it (`120` is `reject`,
    /// `130` is `threaten`), else the code's own concept, if CAMEO has the code.
    pub fn by_cameo(code: &str) -> Option<Self> {
        ACTS.iter()
            .copied()
            .find(|act| act.cameo == Some(code))
            .or_else(|| cameo_concepts().iter().copied().find(|act| act.cameo == Some(code)))
    }

    /// The act's concept IRI, `act:NAME`.
    pub fn iri(self) -> String {
        format!("{ACT}{}", self.name)
    }

    /// The concept's English label in the ontology (`skos:prefLabel`): "warn", or a CAMEO
    /// code's name such as "Engage in negotiation".
    pub fn label(self) -> Option<&'static str> {
        static LABELS: std::sync::OnceLock<std::collections::HashMap<String, String>> = std::sync::OnceLock::new();
        let labels = LABELS.get_or_init(|| {
            let pref_label = "http://www.w3.org/2004/02/skos/core#prefLabel";
            ONTOLOGY_FILES
                .iter()
                .flat_map(|(_, text)| {
                    oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle).for_slice(text.as_bytes())
                })
                .filter_map(Result::ok)
                .filter(|quad| quad.predicate.as_str() == pref_label)
                .filter_map(|quad| match (quad.subject, quad.object) {
                    (oxigraph::model::NamedOrBlankNode::NamedNode(s), oxigraph::model::Term::Literal(l)) => {
                        Some((s.as_str().strip_prefix(ACT)?.to_owned(), l.value().to_owned()))
                    }
                    _ => None,
                })
                .collect()
        });
        labels.get(self.name).map(String::as_str)
    }
}

/// The CAMEO codes that are not named acts, as acts (`cameo-042`), read once from
/// `ontology/cameo.ttl`.
pub fn cameo_concepts() -> &'static [Act] {
    static CONCEPTS: std::sync::OnceLock<Vec<Act>> = std::sync::OnceLock::new();
    CONCEPTS.get_or_init(|| {
        let notation = "http://www.w3.org/2004/02/skos/core#notation";
        oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
            .for_slice(CAMEO_TTL.as_bytes())
            .filter_map(Result::ok)
            .filter(|quad| quad.predicate.as_str() == notation)
            .filter_map(|quad| {
                let subject = quad.subject.to_string();
                let local = subject.strip_prefix(&format!("<{ACT}"))?.strip_suffix('>')?.to_owned();
                let code = match quad.object {
                    oxigraph::model::Term::Literal(literal) => literal.value().to_owned(),
                    _ => return None,
                };
                // Leaked once per code, for `&'static` acts like the named ones.
                Some(Act {
                    name: Box::leak(local.into_boxed_str()),
                    cameo: Some(Box::leak(code.into_boxed_str())),
                })
            })
            .collect()
    })
}

/// The acts of the contract, in its order.
pub const ACTS: [Act; 22] = [
    Act::DEFAULT,
    Act {
        name: "decline_comment",
        cameo: Some("011"),
    },
    Act {
        name: "express_concern",
        cameo: Some("012"),
    },
    Act {
        name: "express_optimism",
        cameo: Some("013"),
    },
    Act {
        name: "claim_responsibility",
        cameo: Some("015"),
    },
    Act {
        name: "deny",
        cameo: Some("016"),
    },
    Act {
        name: "express_sympathy",
        cameo: Some("018"),
    },
    Act {
        name: "agree",
        cameo: Some("019"),
    },
    Act {
        name: "appeal",
        cameo: Some("020"),
    },
    Act {
        name: "promise",
        cameo: Some("030"),
    },
    Act {
        name: "praise",
        cameo: Some("051"),
    },
    Act {
        name: "defend",
        cameo: Some("052"),
    },
    Act {
        name: "demand",
        cameo: Some("100"),
    },
    Act {
        name: "criticize",
        cameo: Some("111"),
    },
    Act {
        name: "accuse",
        cameo: Some("112"),
    },
    Act {
        name: "protest",
        cameo: Some("114"),
    },
    Act {
        name: "reject",
        cameo: Some("120"),
    },
    Act {
        name: "dismiss",
        cameo: Some("120"),
    },
    Act {
        name: "threaten",
        cameo: Some("130"),
    },
    Act {
        name: "warn",
        cameo: Some("130"),
    },
    Act {
        name: "report",
        cameo: None,
    },
    Act {
        name: "reply",
        cameo: None,
    },
];

/// The built-in relation predicates: input name → `sg:` property.
pub const RELATION_PREDICATES: [(&str, NamedNodeRef<'static>); 8] = [
    ("member_of", sg::MEMBER_OF),
    ("part_of", sg::PART_OF),
    ("leader_of", sg::LEADER_OF),
    ("spokesperson_of", sg::SPOKESPERSON_OF),
    ("ambassador_of", sg::AMBASSADOR_OF),
    ("ally_of", sg::ALLY_OF),
    ("party_to", sg::PARTY_TO),
    ("located_in", sg::LOCATED_IN),
];

/// The entity types of the contract: input name → class.
pub const ENTITY_TYPES: [(&str, NamedNodeRef<'static>); 9] = [
    ("person", sg::PERSON),
    ("organization", sg::ORGANIZATION),
    ("country", sg::COUNTRY),
    ("outlet", sg::OUTLET),
    ("group", sg::GROUP),
    ("place", sg::PLACE),
    ("event", sg::EVENT),
    ("agreement", sg::AGREEMENT),
    ("other", sg::ENTITY),
];

/// The stances of the contract: input name → `sg:` individual.
pub const STANCES: [(&str, NamedNodeRef<'static>); 4] = [
    ("support", sg::SUPPORT),
    ("oppose", sg::OPPOSE),
    ("concern", sg::CONCERN),
    ("neutral", sg::NEUTRAL),
];
