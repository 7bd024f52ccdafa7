//! jieba part-of-speech tags as a one-byte enum.
//!
//! jieba-rs hands out each tag as a `&str`; the rules test tags on every
//! token, often against a class of several (`nr | nrt | nrfg`). Interning
//! the tag once, when the token is made, turns each test into one shift
//! and mask ([`Pos::is`]) and keeps a token small.
//!
//! Invariant: [`Pos::of`] and [`Pos::name`] round-trip every tag jieba-rs
//! 0.11 can emit (its dictionary's tags, its POS HMM's tags, `eng`, `m`,
//! `x` and the empty tag of words added without one); any other string
//! maps to [`Pos::Other`].

/// A jieba part-of-speech tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Pos {
    /// `a`
    A,
    /// `ad`
    Ad,
    /// `ag`
    Ag,
    /// `an`
    An,
    /// `b`
    B,
    /// `bg`
    Bg,
    /// `c`
    C,
    /// `d`
    D,
    /// `df`
    Df,
    /// `dg`
    Dg,
    /// `e`
    E,
    /// `en`
    En,
    /// `eng`
    Eng,
    /// `f`
    F,
    /// `g`
    G,
    /// `h`
    H,
    /// `i`
    I,
    /// `in`
    In,
    /// `j`
    J,
    /// `jn`
    Jn,
    /// `k`
    K,
    /// `l`
    L,
    /// `ln`
    Ln,
    /// `m`
    M,
    /// `mg`
    Mg,
    /// `mq`
    Mq,
    /// `n`
    N,
    /// `ng`
    Ng,
    /// `nr`
    Nr,
    /// `nrfg`
    Nrfg,
    /// `nrt`
    Nrt,
    /// `ns`
    Ns,
    /// `nt`
    Nt,
    /// `nz`
    Nz,
    /// `o`
    O,
    /// `p`
    P,
    /// `q`
    Q,
    /// `qe`
    Qe,
    /// `qg`
    Qg,
    /// `r`
    R,
    /// `rg`
    Rg,
    /// `rr`
    Rr,
    /// `rz`
    Rz,
    /// `s`
    S,
    /// `t`
    T,
    /// `tg`
    Tg,
    /// `u`
    U,
    /// `ud`
    Ud,
    /// `ug`
    Ug,
    /// `uj`
    Uj,
    /// `ul`
    Ul,
    /// `uv`
    Uv,
    /// `uz`
    Uz,
    /// `v`
    V,
    /// `vd`
    Vd,
    /// `vg`
    Vg,
    /// `vi`
    Vi,
    /// `vn`
    Vn,
    /// `vq`
    Vq,
    /// `w`
    W,
    /// `x`
    X,
    /// `y`
    Y,
    /// `yg`
    Yg,
    /// `z`
    Z,
    /// `zg`
    Zg,
    /// The empty tag (words added to jieba without a tag).
    Empty,
    /// A tag not in jieba-rs 0.11's tag set.
    Other,
}

/// A set of [`Pos`] tags, built with [`tags!`](crate::tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tags(pub u128);

/// A [`Tags`] set from tag names: `tags!(Nr | Nrt | Nrfg)`.
#[macro_export]
macro_rules! tags {
    ($($t:ident)|+) => {
        $crate::extract::pos::Tags(0 $(| (1u128 << ($crate::extract::pos::Pos::$t as u8)))+)
    };
}

impl Pos {
    /// The tag for jieba's tag string.
    #[inline]
    pub fn of(tag: &str) -> Pos {
        // Almost every tag has one or two lowercase letters: those are read
        // from a table, the rest go through the full match.
        match *tag.as_bytes() {
            [a @ b'a'..=b'z'] => SHORT[(a - b'a') as usize * 27],
            [a @ b'a'..=b'z', b @ b'a'..=b'z'] => {
                SHORT[(a - b'a') as usize * 27 + (b - b'a') as usize + 1]
            }
            _ => Pos::of_bytes(tag.as_bytes()),
        }
    }

    /// [`Pos::of`] for a tag's bytes, by one match over all tags.
    const fn of_bytes(tag: &[u8]) -> Pos {
        match tag {
            b"a" => Pos::A,
            b"ad" => Pos::Ad,
            b"ag" => Pos::Ag,
            b"an" => Pos::An,
            b"b" => Pos::B,
            b"bg" => Pos::Bg,
            b"c" => Pos::C,
            b"d" => Pos::D,
            b"df" => Pos::Df,
            b"dg" => Pos::Dg,
            b"e" => Pos::E,
            b"en" => Pos::En,
            b"eng" => Pos::Eng,
            b"f" => Pos::F,
            b"g" => Pos::G,
            b"h" => Pos::H,
            b"i" => Pos::I,
            b"in" => Pos::In,
            b"j" => Pos::J,
            b"jn" => Pos::Jn,
            b"k" => Pos::K,
            b"l" => Pos::L,
            b"ln" => Pos::Ln,
            b"m" => Pos::M,
            b"mg" => Pos::Mg,
            b"mq" => Pos::Mq,
            b"n" => Pos::N,
            b"ng" => Pos::Ng,
            b"nr" => Pos::Nr,
            b"nrfg" => Pos::Nrfg,
            b"nrt" => Pos::Nrt,
            b"ns" => Pos::Ns,
            b"nt" => Pos::Nt,
            b"nz" => Pos::Nz,
            b"o" => Pos::O,
            b"p" => Pos::P,
            b"q" => Pos::Q,
            b"qe" => Pos::Qe,
            b"qg" => Pos::Qg,
            b"r" => Pos::R,
            b"rg" => Pos::Rg,
            b"rr" => Pos::Rr,
            b"rz" => Pos::Rz,
            b"s" => Pos::S,
            b"t" => Pos::T,
            b"tg" => Pos::Tg,
            b"u" => Pos::U,
            b"ud" => Pos::Ud,
            b"ug" => Pos::Ug,
            b"uj" => Pos::Uj,
            b"ul" => Pos::Ul,
            b"uv" => Pos::Uv,
            b"uz" => Pos::Uz,
            b"v" => Pos::V,
            b"vd" => Pos::Vd,
            b"vg" => Pos::Vg,
            b"vi" => Pos::Vi,
            b"vn" => Pos::Vn,
            b"vq" => Pos::Vq,
            b"w" => Pos::W,
            b"x" => Pos::X,
            b"y" => Pos::Y,
            b"yg" => Pos::Yg,
            b"z" => Pos::Z,
            b"zg" => Pos::Zg,
            b"" => Pos::Empty,
            _ => Pos::Other,
        }
    }

    /// jieba's name for the tag (`"?"` for [`Pos::Other`]).
    pub fn name(self) -> &'static str {
        match self {
            Pos::A => "a",
            Pos::Ad => "ad",
            Pos::Ag => "ag",
            Pos::An => "an",
            Pos::B => "b",
            Pos::Bg => "bg",
            Pos::C => "c",
            Pos::D => "d",
            Pos::Df => "df",
            Pos::Dg => "dg",
            Pos::E => "e",
            Pos::En => "en",
            Pos::Eng => "eng",
            Pos::F => "f",
            Pos::G => "g",
            Pos::H => "h",
            Pos::I => "i",
            Pos::In => "in",
            Pos::J => "j",
            Pos::Jn => "jn",
            Pos::K => "k",
            Pos::L => "l",
            Pos::Ln => "ln",
            Pos::M => "m",
            Pos::Mg => "mg",
            Pos::Mq => "mq",
            Pos::N => "n",
            Pos::Ng => "ng",
            Pos::Nr => "nr",
            Pos::Nrfg => "nrfg",
            Pos::Nrt => "nrt",
            Pos::Ns => "ns",
            Pos::Nt => "nt",
            Pos::Nz => "nz",
            Pos::O => "o",
            Pos::P => "p",
            Pos::Q => "q",
            Pos::Qe => "qe",
            Pos::Qg => "qg",
            Pos::R => "r",
            Pos::Rg => "rg",
            Pos::Rr => "rr",
            Pos::Rz => "rz",
            Pos::S => "s",
            Pos::T => "t",
            Pos::Tg => "tg",
            Pos::U => "u",
            Pos::Ud => "ud",
            Pos::Ug => "ug",
            Pos::Uj => "uj",
            Pos::Ul => "ul",
            Pos::Uv => "uv",
            Pos::Uz => "uz",
            Pos::V => "v",
            Pos::Vd => "vd",
            Pos::Vg => "vg",
            Pos::Vi => "vi",
            Pos::Vn => "vn",
            Pos::Vq => "vq",
            Pos::W => "w",
            Pos::X => "x",
            Pos::Y => "y",
            Pos::Yg => "yg",
            Pos::Z => "z",
            Pos::Zg => "zg",
            Pos::Empty => "",
            Pos::Other => "?",
        }
    }

    /// Whether the tag is one of `set`.
    #[inline]
    pub fn is(self, set: Tags) -> bool {
        (set.0 >> (self as u8)) & 1 != 0
    }

    /// Whether the tag is a verb tag (`v`, `vd`, `vg`, `vi`, `vn`, `vq`).
    pub fn is_verb(self) -> bool {
        self.is(crate::tags!(V | Vd | Vg | Vi | Vn | Vq))
    }

    /// Whether the tag is a person-name tag (`nr`, `nrfg`, `nrt`).
    pub fn is_name(self) -> bool {
        self.is(crate::tags!(Nr | Nrfg | Nrt))
    }
}

/// [`Pos::of`] for tags of one or two lowercase letters: entry `27 * a`
/// is the letter `a`, entry `27 * a + b + 1` the pair `a b` (letters
/// counted from 0).
static SHORT: [Pos; 26 * 27] = {
    let mut table = [Pos::Other; 26 * 27];
    let mut a = 0;
    while a < 26 {
        table[a * 27] = Pos::of_bytes(&[b'a' + a as u8]);
        let mut b = 0;
        while b < 26 {
            table[a * 27 + b + 1] = Pos::of_bytes(&[b'a' + a as u8, b'a' + b as u8]);
            b += 1;
        }
        a += 1;
    }
    table
};

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every tag of jieba-rs 0.11 (dictionary, POS HMM, `eng`/`m`/`x`).
    const ALL: &str = "a,ad,ag,an,b,bg,c,d,df,dg,e,en,eng,f,g,h,i,in,j,jn,k,l,ln,m,mg,mq,n,ng,nr,nrfg,nrt,ns,nt,nz,o,p,q,qe,qg,r,rg,rr,rz,s,t,tg,u,ud,ug,uj,ul,uv,uz,v,vd,vg,vi,vn,vq,w,x,y,yg,z,zg";

    #[test]
    fn every_jieba_tag_round_trips() {
        for t in ALL.split(',') {
            let p = Pos::of(t);
            assert_ne!(p, Pos::Other, "{t}");
            assert_eq!(p.name(), t);
        }
        assert_eq!(Pos::of(""), Pos::Empty);
        for other in ["nrx", "zz", "q1", "N", "名"] {
            assert_eq!(Pos::of(other), Pos::Other, "{other}");
        }
    }

    #[test]
    fn the_real_dictionary_uses_only_known_tags() {
        let jieba = jieba_rs::Jieba::new();
        for w in ["北京", "我们", "研究", "非常", "三", "的", "中央", "王"] {
            for t in jieba.tag(w, true) {
                assert_ne!(Pos::of(t.tag), Pos::Other, "{w}/{}", t.tag);
            }
        }
    }

    #[test]
    fn sets_hold_exactly_their_members() {
        let names = crate::tags!(Nr | Nrt | Nrfg);
        assert!(Pos::Nr.is(names) && Pos::Nrt.is(names) && Pos::Nrfg.is(names));
        assert!(!Pos::N.is(names) && !Pos::Ns.is(names) && !Pos::Other.is(names));
        assert!(Pos::Other.is(crate::tags!(Other)));
        assert!(Pos::Vn.is_verb() && !Pos::N.is_verb());
        assert!(Pos::Nrfg.is_name() && !Pos::Nz.is_name());
    }
}
