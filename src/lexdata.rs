//! Small generic word lists: Chinese surnames, job-title heads, role words.
//!
//! These are general knowledge about Chinese, never names taken from the
//! sample articles or evaluation data.

use std::sync::LazyLock;

use crate::extract::sets::{CharSet, WordSet};

/// Common single-character Chinese surnames (the Hundred Family Surnames and
/// the most frequent modern ones).
pub const SINGLE_SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";

/// Common compound (two-character) Chinese surnames.
pub const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "西门", "南宫", "独孤", "万俟", "闻人", "澹台", "公冶",
    "濮阳", "淳于", "单于", "太叔", "申屠", "仲孙", "赫连", "呼延", "百里", "东郭", "左丘", "拓跋",
];

/// Whether `c` is a common single-character surname.
pub fn is_single_surname(c: char) -> bool {
    static SET: LazyLock<CharSet> = LazyLock::new(|| CharSet::new(SINGLE_SURNAMES));
    SET.has(c)
}

/// Length in characters of the surname that `name` starts with (2 for a
/// compound surname, 1 for a single one), if any.
pub fn surname_len(name: &str) -> Option<usize> {
    if COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s)) {
        return Some(2);
    }
    name.chars()
        .next()
        .filter(|&c| is_single_surname(c))
        .map(|_| 1)
}

/// Words that introduce or close a byline.
pub const BYLINE_ROLES: &[&str] = &[
    "记者",
    "本报记者",
    "通讯员",
    "实习生",
    "见习记者",
    "特约记者",
    "摄影",
    "摄",
    "文/图",
    "文",
    "图",
    "图/文",
    "编辑",
    "责任编辑",
    "撰稿",
    "整理",
    "文字",
];

/// Endings of media names (newspapers, websites, broadcasters).
pub const MEDIA_SUFFIXES: &[&str] = &[
    "时报",
    "日报",
    "晚报",
    "早报",
    "商报",
    "晨报",
    "周报",
    "报社",
    "融媒",
    "新闻网",
    "网",
    "电视台",
    "广播电视台",
    "广播电台",
    "新闻中心",
    "客户端",
    "通讯社",
    "新闻社",
    "杂志",
    "传媒",
];

/// Whether `token` could end a media name (its last character ends a
/// media suffix): a cheap test before building the candidate.
pub fn may_end_media(token: &str) -> bool {
    MEDIA_SUFFIXES_SET.may_end(token)
}

/// [`may_end_media`] for a token whose last character has filter key `k`
/// ([`crate::extract::sets::CharFilter::key`]).
pub fn may_end_media_key(k: u16) -> bool {
    MEDIA_SUFFIXES_SET.may_end_key(k)
}

static MEDIA_SUFFIXES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(MEDIA_SUFFIXES));

/// Whether `token` is a media name: three to ten Chinese characters ending
/// in a media suffix.
pub fn is_media(token: &str) -> bool {
    let n = token.chars().count();
    (3..=10).contains(&n)
        && token.chars().all(crate::chars::is_han)
        && MEDIA_SUFFIXES.iter().any(|s| token.ends_with(s))
}

/// Characters used to transliterate foreign personal names into Chinese
/// (the common syllables of the Xinhua transliteration tables). A name
/// written only with these is likely a transliteration.
pub const TRANSLITERATION_CHARS: &str = "阿埃艾爱安昂奥巴拔贝本比彼毕宾波伯博布查达大戴丹当道德登迪蒂东杜丁多厄恩尔法凡菲费芬丰夫弗福盖甘冈高戈格根古瓜哈海汉豪赫亨胡华霍基吉加贾杰金卡凯坎康考柯科克肯库夸奎拉莱兰朗劳勒雷里利莉连林琳留卢鲁伦罗洛马玛迈麦曼梅门蒙米密明莫姆穆纳娜奈南内尼涅宁纽努诺欧帕潘庞佩彭皮普齐奇恰乔切钦琼丘萨塞桑瑟森沙莎尚舍什施史舒斯松苏索塔泰坦汤唐特滕提廷图托瓦万旺威韦维温沃乌西希谢辛休雅亚扬耶伊因英尤约扎泽詹兹佐祖茨赞策蔡楚夏肖娃娅黛琪丝露薇妮蕾朵芙喀廖列捷柳久热日茹赛瑞芭丽琴伍邦班保鲍滨代顿范冯佛伏贡圭怀惠季可孔腊来赖理栗廉良铃陆路吕芒毛美孟敏墨默乃珀平千青屈让仁荣若山善绍申士宋陶汀通汪文武锡秀延叶依于卓得翰";

/// Whether `c` is a transliteration character.
pub fn is_transliteration(c: char) -> bool {
    static SET: LazyLock<CharSet> = LazyLock::new(|| CharSet::new(TRANSLITERATION_CHARS));
    SET.has(c)
}
