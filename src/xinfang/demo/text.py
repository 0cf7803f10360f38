"""Chinese text material for the demo province: names, places and letters.

Everything here is fictional: the province code 39 is not used by any real province, and
the people, villages and units are made up. Templates use `str.format_map` placeholders
filled in by `plan.py` and `run.py`:

  {r} respondent's name          {rpost} respondent's post, e.g. 江源县交通运输局局长
  {runit} respondent's unit      {place} county/township/unit the matter is about
  {village} a village            {name} petitioner's name      {identity} who they are
  {rel} a relative (侄子...)     {relname} the relative's name  {pos} a post below
  {year} an earlier year         {year2} a later year           {company} an enterprise
  {months} a number of months    {amount} an amount of money    {org} receiving department
"""

from __future__ import annotations

from dataclasses import dataclass

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN_MALE = [
    "建国",
    "建华",
    "志强",
    "国平",
    "卫东",
    "文斌",
    "海涛",
    "立新",
    "振华",
    "永红",
    "德胜",
    "俊杰",
    "明亮",
    "伟",
    "军",
    "勇",
    "斌",
    "刚",
    "涛",
    "磊",
    "晓东",
    "宏伟",
    "长生",
    "福林",
    "金山",
    "春生",
    "家明",
    "玉林",
    "光辉",
    "庆丰",
    "树林",
    "新民",
    "爱国",
    "利民",
    "建军",
    "学军",
    "红旗",
    "子豪",
    "浩然",
    "宇航",
    "泽民",
    "守仁",
    "正义",
    "继业",
    "兴旺",
]
GIVEN_FEMALE = [
    "秀英",
    "桂兰",
    "玉梅",
    "丽娟",
    "淑珍",
    "春燕",
    "红梅",
    "晓燕",
    "海燕",
    "丽华",
    "玉兰",
    "凤英",
    "素芳",
    "慧敏",
    "静",
    "敏",
    "芳",
    "娜",
    "霞",
    "雪梅",
    "彩云",
    "小红",
    "美玲",
    "翠萍",
    "月娥",
    "桂芝",
    "婷婷",
    "佳怡",
    "欣然",
]

RELATIVES = ("侄子", "女婿", "妻弟", "外甥", "儿媳", "表弟", "小舅子", "堂兄")
POSTS_BELOW = ("办公室副主任", "股长", "副科长", "科长", "副局长", "站长", "所长", "中心主任")
COMPANIES = (
    "宏达建材有限公司",
    "鑫源矿业有限公司",
    "江南纺织有限公司",
    "恒通物流有限公司",
    "华联商贸有限公司",
    "永兴食品有限公司",
    "金桥建筑工程有限公司",
    "新达机械厂",
)
VILLAGE_PARTS_1 = [
    "柳",
    "杨",
    "石",
    "桥",
    "河",
    "李",
    "张",
    "王",
    "枣",
    "梨",
    "桃",
    "松",
    "竹",
    "马",
    "牛",
    "龙",
    "凤",
    "金",
    "银",
    "铜",
]
VILLAGE_PARTS_2 = ["树", "家", "湾", "岗", "坪", "沟", "营", "庄", "口", "坝", "寨", "塘"]
IDENTITIES_SIGNED = (
    "退休教师",
    "村民",
    "普通党员",
    "企业职工",
    "机关干部",
    "离休干部家属",
    "退伍军人",
    "乡镇干部",
    "事业单位职工",
    "村民小组长",
)
PLACES_OF_VISIT = ("信访接待室", "来访接待室", "部机关一楼接待室", "群众来访接待大厅")

# (prefecture, slug, [(county, slug), ...]); slugs make readable usernames.
PROVINCE = ("清江省", "qj", "390000")
PREFECTURES = (
    ("望江市", "wj", (("江源县", "jy"), ("临溪县", "lx"), ("桃林县", "tl"))),
    ("青山市", "qs", (("石门县", "sm"), ("云岭县", "yl"), ("长丰县", "cf"))),
    ("白河市", "bh", (("东坪县", "dp"), ("北川县", "bc"), ("南湖县", "nh"))),
)
TOWNSHIP_NAMES = (
    "城关镇",
    "柳河镇",
    "石桥镇",
    "白沙乡",
    "杨树镇",
    "龙潭乡",
    "青石镇",
    "桃源乡",
    "马坪镇",
    "金鸡镇",
    "凤凰乡",
    "松林镇",
    "黄土岗镇",
    "双河乡",
    "新集镇",
    "枣林乡",
    "高桥镇",
    "红星乡",
)
# (unit name, slug, parent: "province" or prefecture index)
UNITS = (
    ("清江能源投资集团", "nt", "province"),
    ("清江大学", "dx", "province"),
    ("望江钢铁集团", "gt", 0),
    ("青山市第一人民医院", "yy", 1),
    ("白河农业发展集团", "ny", 2),
)
# Bureaus of a county or prefecture government whose heads are complained about.
BUREAUS = (
    "教育局",
    "交通运输局",
    "住房和城乡建设局",
    "农业农村局",
    "水利局",
    "卫生健康局",
    "财政局",
    "民政局",
    "商务局",
    "林业局",
    "市场监督管理局",
    "审计局",
)
UNIT_SECTIONS = ("生产部", "财务部", "后勤处", "基建处", "党群工作部", "安全环保部")


@dataclass(frozen=True)
class Issue:
    """One kind of matter: how it is registered, worded, and closed."""

    key: str
    label: str
    category: str
    nature: str
    needs_cadre: bool  # a respondent cadre is named
    summaries: tuple[str, ...]
    bodies: tuple[str, ...]
    requests: tuple[str, ...]
    facts: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()
    refer_kind: str = ""  # for matters outside the remit: the department kind referred to
    refer_reason: str = ""


ISSUES: tuple[Issue, ...] = (
    Issue(
        key="selection",
        label="干部选拔任用不正之风",
        category="misconduct",
        nature="accusation",
        needs_cadre=True,
        summaries=(
            "反映{rpost}{r}在干部调整中违反程序、突击提拔干部",
            "反映{runit}民主推荐走过场，{r}个人说了算",
            "反映{rpost}{r}在干部选拔中搞“小圈子”，任人唯亲",
            "举报{runit}{year2}年干部调整未经考察即提拔任用",
            "反映{r}在换届前突击调整干部{amount}人",
        ),
        bodies=(
            "{year2}年{month}月，{runit}一次调整中层干部{amount}人，事先没有召开党组会研究，"
            "也没有进行民主推荐和考察公示，名单是{r}一个人定下来的，会上只是走了个形式。",
            "在这次干部调整中，有几名同志任职年限不够、群众公认度不高，却被提拔为{pos}；"
            "而一些工作多年、踏实肯干的同志却迟迟得不到使用，干部职工议论纷纷，严重影响了工作积极性。",
            "据了解，{r}在民主推荐前就私下给部分同志“打招呼”，暗示推荐谁、不推荐谁，"
            "推荐结果出来后又以“结构需要”为由调整了人选，民主推荐完全成了摆设。",
            "有的干部是在{r}到任后突击入党、突击提拔的，前后不到一年就从普通干部提为{pos}，"
            "这种做法明显违反《党政领导干部选拔任用工作条例》的规定。",
        ),
        requests=(
            "恳请组织部门派人调查核实，严肃处理，还广大干部一个公道。",
            "希望上级组织部门认真查处，纠正违规提拔的决定。",
            "请求组织上认真调查，对违规用人问题严肃追责。",
        ),
        facts=(
            "经调查，{runit}在{year2}年干部调整中，确有未经民主推荐即确定考察对象的情况，"
            "反映的问题部分属实；未发现{r}收受财物的问题。",
            "经调阅干部任免档案、个别谈话{amount}人次，{runit}该批干部调整履行了民主推荐、考察、"
            "讨论决定和任前公示程序，反映的问题不属实。",
            "经核查，反映的突击提拔问题基本属实，其中两名干部任职资格不符合规定。",
        ),
        decisions=(
            "责令{runit}党组织作出书面检查，对{r}进行诫勉谈话，对不符合任职资格的干部予以纠正。",
            "向反映人说明调查结果，对{runit}干部工作提出改进意见。",
            "对{r}给予批评教育并责令整改，对违规任用的干部按程序免去职务。",
        ),
        basis=(
            "《党政领导干部选拔任用工作条例》第三章、第五章",
            "《党政领导干部选拔任用工作责任追究办法》",
            "《党政领导干部选拔任用工作条例》及本省干部选拔任用工作监督检查办法",
        ),
    ),
    Issue(
        key="seeking_office",
        label="跑官要官",
        category="misconduct",
        nature="accusation",
        needs_cadre=True,
        summaries=(
            "反映{rpost}{r}跑官要官、四处活动",
            "举报{r}为谋取提拔托人说情、送礼拉关系",
            "反映{runit}{r}在换届期间拉票、跑官",
        ),
        bodies=(
            "{r}近年来一心想往上走，逢年过节就往{place}领导家里跑，还多次托同学、老乡打招呼，"
            "说这次“位子已经定了”，在单位里影响很坏。",
            "据知情人讲，{r}为了这次提拔，先后请有关人员吃饭{amount}次，还送过购物卡和土特产，"
            "{year2}年{month}月在县城一家酒店宴请推荐人，当时有多人在场。",
            "{r}在民主推荐前给单位干部逐个打电话，请大家“帮帮忙”，并许诺以后给予照顾，"
            "这是明显的拉票行为。",
        ),
        requests=(
            "请求组织部门调查核实，对跑官要官的行为坚决说不。",
            "恳请组织上严格把关，不要让跑官要官的人得到提拔。",
        ),
        facts=(
            "经调查，{r}在推荐期间确有打电话“打招呼”的行为，反映的拉票问题部分属实；"
            "送礼问题因缺乏证据无法认定。",
            "经走访推荐人{amount}人次并调查相关情况，未发现{r}有跑官要官、拉票行为，反映的问题不属实。",
        ),
        decisions=(
            "暂缓{r}的提拔使用，对其进行诫勉谈话并在干部档案中记载。",
            "对反映不实的情况向{runit}党组织说明，为{r}澄清正名。",
        ),
        basis=(
            "《党政领导干部选拔任用工作条例》第五十四条",
            "《关于严肃换届纪律保证换届风清气正的通知》",
        ),
    ),
    Issue(
        key="file_fraud",
        label="档案造假",
        category="misconduct",
        nature="accusation",
        needs_cadre=True,
        summaries=(
            "反映{rpost}{r}篡改出生日期、伪造学历",
            "举报{r}干部档案中入党材料造假",
            "反映{r}档案年龄“越改越小”",
        ),
        bodies=(
            "{r}实际出生于{year}年，与我是同学，可是档案上的出生日期被改小了{months}岁，"
            "为的是延长任职年限，这在老家人人皆知。",
            "{r}档案里的大专学历是花钱买的，本人根本没有上过那所学校，当年同单位的人都知道他在上班。",
            "{r}的入党志愿书和转正材料是后补的，签字笔迹和时间都对不上，请组织上核查原始材料。",
        ),
        requests=(
            "请组织部门认真核查档案，依规处理造假行为。",
            "恳请组织上调阅原始材料，查清事实。",
        ),
        facts=(
            "经调阅{r}干部档案、户籍底册和学籍材料，其出生日期在{year2}年被改动，依据不足，"
            "反映的问题属实。",
            "经查阅原始档案并向原就读学校函调核实，{r}学历真实，反映的问题不属实。",
        ),
        decisions=(
            "按照最早记载认定{r}出生日期，对有关档案材料予以更正，并追究相关人员责任。",
            "向反映人说明核查情况，对{r}档案中的学历材料予以确认。",
        ),
        basis=(
            "《干部档案工作条例》",
            "《关于进一步从严管理干部档案的通知》",
        ),
    ),
    Issue(
        key="relatives",
        label="违规提拔亲属",
        category="misconduct",
        nature="accusation",
        needs_cadre=True,
        summaries=(
            "反映{rpost}{r}违规提拔其{rel}{relname}",
            "举报{r}利用职权安排{rel}到要害岗位任职",
            "反映{runit}{r}的{rel}不符合条件被提拔为{pos}",
        ),
        bodies=(
            "{r}的{rel}{relname}参加工作才三年，没有基层工作经历，却在{year2}年被提拔为{pos}，"
            "而且分管的正是{r}直接管的业务，这明显违反任职回避规定。",
            "{relname}原来是{company}的临时工，{r}到任后把人调进单位，又安排到财务岗位，"
            "单位里的人敢怒不敢言。",
            "{r}在讨论{relname}任职的会议上没有回避，还带头表态，说“这个同志年轻有为”。",
        ),
        requests=(
            "请组织上严格执行回避制度，纠正违规任职。",
            "希望上级调查处理，不能让“近亲繁殖”的风气蔓延。",
        ),
        facts=(
            "经调查，{relname}系{r}的{rel}，{year2}年被任命为{pos}时{r}未按规定回避，反映的问题属实。",
            "经核查，{relname}与{r}不存在亲属关系，其任职程序符合规定，反映的问题不属实。",
        ),
        decisions=(
            "对{relname}的职务按回避规定予以调整，对{r}进行诫勉谈话。",
            "向反映人反馈核查结果，并提醒{runit}严格执行任职回避制度。",
        ),
        basis=(
            "《党政领导干部任职回避暂行规定》",
            "《公务员回避规定》",
        ),
    ),
    Issue(
        key="party_date",
        label="入党时间更改",
        category="personal_request",
        nature="request",
        needs_cadre=False,
        summaries=(
            "{name}要求更改入党时间",
            "要求按原始材料认定本人入党时间",
            "{name}反映入党时间记载有误，要求更正",
        ),
        bodies=(
            "我于{year}年{month}月在{place}{village}大队入党，当时的介绍人是{relname}同志。"
            "后来因档案转递遗失了入党志愿书，档案上记载的入党时间推迟了{months}年。",
            "{year}年我在部队入党，复员回乡后组织关系转接出了差错，现在档案里写的是重新入党的时间，"
            "我的党龄少算了好几年。",
            "我当年的入党介绍人和支部书记现在都还健在，可以为我作证，原始会议记录也找到了。",
        ),
        requests=(
            "恳请组织上根据原始材料，恢复我的入党时间。",
            "请求组织部门核实，按实际时间认定我的党龄。",
        ),
        facts=(
            "经查阅原支部会议记录并向入党介绍人核实，{name}于{year}年经支部大会通过入党，"
            "有原始记载可查。",
            "经调查，{name}提供的证明材料系本人事后补写，无原始记载印证。",
        ),
        decisions=(
            "按照原始记载更正{name}的入党时间，并将材料归入本人档案。",
            "维持原入党时间认定，向本人说明政策规定，做好思想工作。",
        ),
        basis=(
            "《中国共产党发展党员工作细则》",
            "中央组织部关于党员入党时间认定的有关规定",
        ),
    ),
    Issue(
        key="work_date",
        label="参加工作时间认定",
        category="personal_request",
        nature="request",
        needs_cadre=False,
        summaries=(
            "{name}要求重新认定参加工作时间",
            "要求将下乡知青经历计算为工龄",
            "{name}反映参加工作时间认定有误",
        ),
        bodies=(
            "我{year}年作为知识青年下乡到{place}{village}，{year2}年招工回城，"
            "现在单位只从招工时算起，下乡的{months}年没有算进工龄。",
            "我{year}年就在{company}当合同工，后来转为正式职工，前面这段时间一直没有计算为工作年限。",
            "我参加工作时的招工表上写得清清楚楚，档案里却记成了{year2}年，影响了我的退休待遇。",
        ),
        requests=(
            "恳请组织上按政策认定我的参加工作时间。",
            "希望按照有关规定，把下乡期间计算为连续工龄。",
        ),
        facts=(
            "经查阅知青档案和招工审批表，{name}于{year}年下乡插队，{year2}年招工，有原始档案记载。",
            "经调查核实，{name}所述合同工经历缺乏原始用工记录印证。",
        ),
        decisions=(
            "按政策将其下乡插队时间与招工后时间合并计算为连续工龄。",
            "维持原认定，向本人说明有关政策规定。",
        ),
        basis=(
            "《关于知识青年参加工作后工龄计算问题的复函》",
            "国家关于参加工作时间认定的有关规定",
        ),
    ),
    Issue(
        key="retirement",
        label="离休待遇",
        category="personal_request",
        nature="request",
        needs_cadre=False,
        summaries=(
            "{name}要求按离休干部落实待遇",
            "要求确认参加革命工作时间，按离休办理",
            "{name}反映离休费和医疗待遇未落实",
        ),
        bodies=(
            "我父亲{relname}于1949年{month}月参加{place}地下交通站工作，有当年的证明人，"
            "退休时却按退休办理，没有享受离休待遇。",
            "我是1949年参加工作的老同志，按照政策应当享受离休待遇，但单位一直说材料不全，"
            "至今没有解决。",
            "我离休后医药费报销一直不能按离休干部标准执行，已经垫付了{amount}多元。",
        ),
        requests=(
            "恳请组织上认真核实，按政策落实离休待遇。",
            "请求组织部门关心老同志，协调解决医疗待遇问题。",
        ),
        facts=(
            "经查阅历史档案并走访证明人，{relname}于1949年参加革命工作的证据充分。",
            "经调查，现有材料不能证明其于1949年9月30日前参加革命工作。",
        ),
        decisions=(
            "按政策改办离休手续，自批准之月起落实离休待遇。",
            "维持退休待遇，向本人和家属耐心解释政策规定。",
        ),
        basis=(
            "《国务院关于老干部离职休养的暂行规定》",
            "中共中央组织部关于确定建国前干部参加革命工作时间的规定",
        ),
    ),
    Issue(
        key="rank_benefits",
        label="职级待遇落实",
        category="personal_request",
        nature="request",
        needs_cadre=False,
        summaries=(
            "{name}要求落实职级待遇",
            "反映职务职级并行后本人职级晋升未落实",
            "{name}要求按政策兑现{pos}待遇",
        ),
        bodies=(
            "我在{place}基层工作{amount}年，按照职务职级并行政策符合晋升{pos}的条件，"
            "但单位以“职数已满”为由一直没有研究。",
            "我{year2}年经组织任命为{pos}，后因机构改革职务被免，相应的职级待遇没有保留。",
            "同批参加工作的同志都已经晋升了职级，只有我因为档案里的一份材料至今没有解决。",
        ),
        requests=(
            "恳请组织上按政策核实，落实我的职级待遇。",
            "希望组织部门协调有关单位，尽快解决。",
        ),
        facts=(
            "经核查，{name}任职年限和考核结果符合职级晋升条件，单位职数确有空缺。",
            "经调查，{name}不符合职级晋升的任职年限要求。",
        ),
        decisions=(
            "责成所在单位按程序研究其职级晋升事宜。",
            "维持原决定，向本人说明政策规定，做好思想工作。",
        ),
        basis=(
            "《公务员职务与职级并行规定》",
            "本省公务员职级晋升实施办法",
        ),
    ),
    Issue(
        key="rehabilitation",
        label="历史遗留问题平反",
        category="policy_history",
        nature="appeal",
        needs_cadre=False,
        summaries=(
            "{name}要求对父亲历史问题予以平反",
            "申诉：要求复查{year}年所受处分",
            "{name}要求落实知识分子政策",
        ),
        bodies=(
            "我父亲{relname}原是{place}中学教师，{year}年被错误处理，开除公职，"
            "后来虽有所改正，但结论留有尾巴，工龄和工资至今没有恢复。",
            "我{year}年因为一篇文章受到留党察看处分，后来中央有关政策已经明确，"
            "但我的处分一直没有复查。",
            "我是{year}年毕业的大学生，当年被下放到{village}劳动，落实政策时安排不当，"
            "所学专业荒废多年。",
        ),
        requests=(
            "恳请组织上复查原结论，彻底平反，恢复名誉。",
            "请求按照落实政策的精神，妥善解决遗留问题。",
        ),
        facts=(
            "经复查原始案卷，{year}年的处理结论定性不当，依据不足。",
            "经复查，原处理结论已于{year2}年经复查改正，本人所提补发工资要求不符合政策。",
        ),
        decisions=(
            "撤销原结论，恢复名誉，按政策恢复工龄。",
            "维持复查结论，向本人解释政策，做好思想稳定工作。",
        ),
        basis=(
            "中共中央关于复查平反历史遗留问题的有关规定",
            "落实知识分子政策的有关文件",
        ),
    ),
    Issue(
        key="village_election",
        label="村党支部换届",
        category="organization_work",
        nature="accusation",
        needs_cadre=True,
        summaries=(
            "反映{village}党支部换届选举中拉票贿选",
            "反映{r}在村党支部换届中操纵选举",
            "反映{village}党支部换届未按程序进行",
        ),
        bodies=(
            "{year2}年{month}月{village}党支部换届，{r}在选举前挨家挨户给党员送烟送酒，"
            "还许诺当选后给大家分地、办低保。",
            "这次换届选举，流动票箱没有专人监督，{amount}名在外务工党员的票都由{r}的亲属代填。",
            "镇里包村干部事先定好了人选，选举大会上连候选人介绍都没有，党员们很有意见。",
        ),
        requests=(
            "请求组织上调查，宣布选举无效，重新依法选举。",
            "希望上级党组织派人到村里了解情况，维护党员的民主权利。",
        ),
        facts=(
            "经调查，{village}党支部换届中流动票箱使用不规范，反映问题部分属实，未发现贿选行为。",
            "经走访党员{amount}人，换届程序符合规定，反映的问题不属实。",
        ),
        decisions=(
            "责成镇党委对换届工作进行整改，对{r}进行批评教育。",
            "向反映人说明调查情况，做好解释工作。",
        ),
        basis=(
            "《中国共产党基层组织选举工作条例》",
            "《中国共产党农村基层组织工作条例》",
        ),
    ),
    Issue(
        key="weak_branch",
        label="基层组织软弱涣散",
        category="organization_work",
        nature="suggestion",
        needs_cadre=False,
        summaries=(
            "反映{village}党支部软弱涣散，长期不开展组织生活",
            "建议整顿{village}党支部",
            "反映{village}村“两委”班子不团结、工作瘫痪",
        ),
        bodies=(
            "我们{village}党支部已经{months}个月没有开过党员大会了，三会一课全靠补记录，"
            "村里的事情没人管，群众意见很大。",
            "村党支部书记常年在外做生意，村里的公章放在会计家里，集体账目多年没有公开。",
            "村“两委”班子成员之间互不服气，开会就吵，修路、饮水等民生项目一拖再拖。",
        ),
        requests=(
            "建议上级党组织派驻第一书记，整顿软弱涣散党组织。",
            "恳请组织上帮助村里配强班子，把党支部建起来、强起来。",
        ),
        facts=(
            "经实地调查，{village}党支部组织生活不正常、班子不团结的问题属实。",
            "经调查，{village}党支部组织生活基本正常，个别问题已在整改中。",
        ),
        decisions=(
            "将{village}党支部列为软弱涣散基层党组织进行整顿，选派第一书记。",
            "责成镇党委加强指导，督促该支部规范落实组织生活制度。",
        ),
        basis=(
            "《中国共产党农村基层组织工作条例》",
            "关于整顿软弱涣散基层党组织的有关通知",
        ),
    ),
    Issue(
        key="labor",
        label="劳动争议",
        category="outside_remit",
        nature="request",
        needs_cadre=False,
        summaries=(
            "{name}反映{company}拖欠工资",
            "要求解决与{company}的劳动合同纠纷",
            "反映单位未依法缴纳社会保险",
        ),
        bodies=(
            "我在{company}工作了{amount}个月，老板拖欠工资至今未付，找了很多次都推说没钱。",
            "{company}在合同未到期的情况下单方面辞退我，也不给经济补偿。",
            "单位从{year2}年起就没有给我们缴纳养老保险，现在快到退休年龄了，心里很着急。",
        ),
        requests=(
            "请求政府有关部门帮助追讨工资。",
            "希望有关部门依法处理，维护职工合法权益。",
        ),
        refer_kind="human_resources",
        refer_reason="反映的是劳动争议和劳动保障问题，属人力资源和社会保障部门职责范围。",
    ),
    Issue(
        key="land",
        label="征地拆迁",
        category="outside_remit",
        nature="appeal",
        needs_cadre=False,
        summaries=(
            "{name}反映{village}征地补偿标准过低",
            "反映{place}房屋拆迁安置不到位",
            "要求落实{village}被征地农民养老保障",
        ),
        bodies=(
            "{year2}年{place}修建工业园区，征用我们{village}的耕地{amount}亩，补偿款至今没有足额发放。",
            "我家的房子被拆了两年多，安置房迟迟没有建好，一家人一直在外租房住。",
            "同一批被征地的，别的村按新标准补偿，我们村却按老标准，群众很有意见。",
        ),
        requests=(
            "请求有关部门按政策足额补偿。",
            "希望政府尽快落实安置，解决群众的实际困难。",
        ),
        refer_kind="other",
        refer_reason="反映的是征地补偿和拆迁安置问题，属自然资源等部门职责范围。",
    ),
    Issue(
        key="litigation",
        label="涉法涉诉",
        category="outside_remit",
        nature="appeal",
        needs_cadre=False,
        summaries=(
            "{name}对法院判决不服，要求再审",
            "反映{place}人民法院判决执行不到位",
            "对一起民事纠纷案件处理结果不服",
        ),
        bodies=(
            "我与{company}的合同纠纷案经一审、二审判决，我认为判决认定事实错误，已申请再审。",
            "法院判决对方赔偿我{amount}元，一年多了一分钱也没执行到位。",
            "我儿子的案子办得不公，办案人员没有听取我们的证据。",
        ),
        requests=(
            "请求有关部门依法监督，纠正错误判决。",
            "希望督促法院尽快执行到位。",
        ),
        refer_kind="court",
        refer_reason="反映的是涉法涉诉问题，应依法通过诉讼程序由政法机关处理。",
    ),
    Issue(
        key="corruption",
        label="违纪违法线索",
        category="outside_remit",
        nature="accusation",
        needs_cadre=True,
        summaries=(
            "举报{rpost}{r}收受工程老板好处费",
            "反映{r}公款吃喝、违规报销",
            "举报{r}在项目审批中吃拿卡要",
        ),
        bodies=(
            "{r}在担任{rpost}期间，{company}承揽了单位多个工程，据说每年都给他送好处费。",
            "{r}经常安排下属在饭店公款宴请，发票开成会议费报销，一年下来数额不小。",
            "企业到{runit}办事，{r}总是故意拖着不办，只有请吃饭、送礼才能通过。",
        ),
        requests=(
            "请求纪检监察机关调查处理。",
            "希望有关部门严肃查处，还干部队伍清正风气。",
        ),
        refer_kind="discipline",
        refer_reason="反映的是党员干部违纪违法问题，属纪检监察机关职责范围。",
    ),
)

ISSUES_BY_KEY = {i.key: i for i in ISSUES}

# Relative weights of the kinds of matter (R-COUNTY-1: most concern cadre work below county).
ISSUE_WEIGHTS = {
    "selection": 14,
    "seeking_office": 6,
    "file_fraud": 5,
    "relatives": 8,
    "party_date": 6,
    "work_date": 7,
    "retirement": 5,
    "rank_benefits": 9,
    "rehabilitation": 4,
    "village_election": 7,
    "weak_branch": 5,
    "labor": 7,
    "land": 6,
    "litigation": 4,
    "corruption": 4,
}

SALUTATIONS = (
    "尊敬的{org}领导：",
    "{org}：",
    "组织部领导同志：",
    "尊敬的组织部门领导：",
    "{org}信访室：",
)
INTROS_SIGNED = (
    "我叫{name}，是{home}的{identity}。现将有关情况反映如下：",
    "我是{home}{identity}{name}，今天怀着沉重的心情给组织写信。",
    "本人{name}，{identity}，家住{home}。有一件事压在心里很久了，特向组织反映。",
)
INTROS_ANONYMOUS = (
    "我是{runit}的一名普通干部，因担心打击报复，不便署名，请组织谅解。",
    "我们是{place}的几名老党员，现向组织反映以下问题。",
    "作为一名知情人，我觉得有责任向组织反映以下情况。",
)
CLOSINGS_SIGNED = (
    "以上情况如有不实，本人愿意承担责任。\n\n此致\n敬礼！\n\n反映人：{name}\n{date}",
    "盼望组织早日答复。\n\n{name}\n{date}",
    "恳请领导在百忙之中过问此事。\n\n此致\n敬礼！\n\n{name}（{identity}）\n{date}",
)
CLOSINGS_ANONYMOUS = (
    "以上所反映问题均有据可查，恳请组织认真调查。\n\n一名知情群众\n{date}",
    "希望组织能够重视。\n\n{date}",
)
COLLECTIVE_INTROS = (
    "我们是{origin}的{count}名群众，推选{name}等人为代表，集体向组织反映问题。",
    "{origin}{count}人联名反映，代表：{name}。",
)
ONLINE_PREFIX = "（网上信访，经本人确认后登记）"
PHONE_PREFIX = "（来电记录）来电人称："

INTERVIEW_STATEMENTS = (
    "来访人称：{body}",
    "来访人反映：{body}来访人情绪{mood}，表示已多次反映未果。",
    "来访人陈述：{body}",
)
MOODS = ("激动", "平稳", "较为激动", "平和")
INTERVIEW_ANSWERS = (
    "已登记在案，将按照分级负责、归口办理的原则及时办理，并在规定期限内答复。",
    "向来访人宣传了有关政策，告知其所反映问题将转有关部门调查核实，请其回去等候答复。",
    "接谈人听取了来访人陈述，收下了书面材料，答应尽快研究并将结果告知本人。",
    "告知来访人依法逐级反映问题，不要越级上访，所反映问题已登记并将认真办理。",
)
COLLECTIVE_ANSWERS = (
    "接谈人耐心听取代表意见，劝导其余群众离开接待场所，承诺会同有关部门尽快研究答复。",
    "向代表讲解有关政策，请群众推选代表反映诉求、依法有序信访，所反映问题已登记交办。",
)

READ_INSTRUCTIONS = (
    "请信访室登记，按程序办理。",
    "请认真调查核实，依规处理，结果报我。",
    "此件反映问题具体，请干部监督科牵头调查。",
    "请按政策研究提出处理意见。",
    "按照干部管理权限办理，注意保护反映人。",
    "已阅。请抓紧办理，重要情况及时报告。",
    "请会同有关科室认真研究，妥善处理，防止矛盾激化。",
)
ASSIGN_NOTES = (
    "请按照干部管理权限认真调查处理，三个月内报结果。",
    "此件交你部办理，请将调查处理结果及时报我部。",
    "请认真核查，注意保护反映人，处理结果书面报告。",
)
TRANSFER_NOTES = (
    "转你部按职责办理。",
    "请按照分级负责、归口办理的原则处理，无需报告结果。",
)
OBJECTION_REASONS = (
    "经核实，被反映人现由上级党委管理，不属本部门管理权限，请上级重新分办。",
    "反映问题涉及的单位不在本地，建议转有管辖权的部门办理。",
)
ROUTING_NOTES_DOWN = (
    "被反映人由{managing}党委管理，按干部管理权限转{to}办理（分级负责、归口办案）。",
    "属{to}职责范围，按分级负责原则办理。",
)
FILE_REASONS_ANONYMOUS = (
    "匿名信反映的问题笼统，无具体事实和线索，无从查证，存查备考。",
    "反映内容空泛，经初步了解无可查线索，按规定存查。",
)
FILE_REASONS_REPEAT = (
    "该问题已于原案件办结并答复，本次重复反映未提出新的事实和理由，存查。",
    "属重复信访，原处理意见已与本人见面，不再重新受理，存查备考。",
)
OVERDUE_REASONS = (
    "涉及人员较多，部分证人在外地务工，调查取证尚未完成。",
    "需调阅的历史档案存放于市档案馆，调档手续办理时间较长。",
    "被反映人正在外地学习培训，尚未完成谈话核实。",
    "案情复杂，需与纪检、人社等部门会商，特申请延期。",
)
CLOSURE_RETURN_REASONS = (
    "事实部分证据不充分，请补充对被反映人的谈话记录。",
    "处理意见与政策依据不对应，请重新研究后报送。",
    "未写明本人对处理的意见，请补充见面材料。",
    "案卷材料不齐全，缺少调查笔录，请补齐后报送。",
)
REPORT_RETURN_REASONS = (
    "报送的结案材料对关键事实认定依据不足，请补充调查后重新报送。",
    "审查意见不明确，请县委组织部提出明确的审查意见。",
    "处理意见过轻，与查明的事实不相适应，请重新研究。",
)
REVIEW_OPINIONS = (
    "经部务会研究，同意承办人意见，事实清楚、处理恰当、手续完备，现上报。",
    "经审查，调查结论有据，处理意见符合政策规定，同意报结。",
    "同意结案，请上级组织部门审核。",
)
ACCEPT_OPINIONS = (
    "经审核，同意结案。",
    "报送材料齐全，处理恰当，予以认可。",
    "",
)
EXPLAIN_HOW = ("当面告知", "电话告知", "书面告知", "寄送告知书")
SHOWN_HOW = ("当面谈话", "书面送达", "上门见面", "约谈本人")
FEEDBACK_HOW = ("电话告知", "当面反馈", "书面答复")
PETITIONER_OPINIONS_OK = (
    "本人对处理结果表示满意。",
    "本人表示理解，没有其他意见。",
    "本人对处理结果基本认可。",
)
PETITIONER_OPINIONS_NOT_OK = (
    "本人对处理结果不满意，表示将继续反映。",
    "本人表示不认可，认为处理过轻。",
)
REFERRAL_EXPLANATIONS = (
    "您反映的问题不属于组织部门业务范围，我们已转{to}办理，请您今后直接与该部门联系。",
    "已向您说明，该问题依法应由{to}处理，材料已转交，请留意该部门的答复。",
)
INSTRUCTIONS_FOLLOWUP = (
    "此案群众反映强烈，请加快进度，下周汇报调查情况。",
    "请注意工作方法，做好反映人的思想工作。",
    "请与纪委沟通情况，统一口径。",
)
ANONYMOUS_INVESTIGATE_REASONS = (
    "反映问题具体，有时间、地点、人物和事实，可以查证。",
    "所反映情况线索清楚，与已掌握情况吻合，予以调查。",
)
ANONYMOUS_KEEP_REASONS = (
    "内容笼统，无具体事实，无从查证。",
    "仅有泛泛议论，未提供可查线索。",
)

# Who writes about a personal matter (R-CAT-4): the identity fits the request.
IDENTITIES_BY_ISSUE: dict[str, tuple[str, ...]] = {
    "party_date": ("普通党员", "退休教师", "退伍军人", "退休干部"),
    "work_date": ("企业退休职工", "退休教师", "事业单位职工", "下岗职工"),
    "retirement": ("离休干部家属", "退休干部", "老干部"),
    "rank_benefits": ("机关干部", "乡镇干部", "事业单位职工", "基层公务员"),
    "rehabilitation": ("退休教师", "老党员", "退休干部", "知识分子"),
    "labor": ("企业职工", "农民工", "合同制职工"),
    "land": ("村民", "村民小组长", "被征地农民"),
    "litigation": ("村民", "个体工商户", "企业职工"),
}
# Issues whose letters tell one story: one body paragraph, then a supporting sentence.
ONE_STORY = frozenset(IDENTITIES_BY_ISSUE)
SUPPORTING = (
    "这件事我已经向单位和有关部门反映过多次，一直没有明确答复。",
    "有关证明材料我都保存着，可以随时提供给组织核实。",
    "我年纪大了，身体也不好，实在不想再为这件事来回奔波。",
    "当年的知情人大多还健在，组织上一问便知。",
    "",
)
REPEAT_OPENINGS = (
    "我曾于{date}就{topic}问题向组织反映，至今没有得到答复。",
    "{date}我曾来信反映{topic}问题，对答复意见不满意，现再次反映。",
    "关于{topic}问题，我已于{date}向组织反映过，问题仍未解决。",
)
