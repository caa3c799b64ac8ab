/* The tables of the demo town; see demo_names.h. */
#include "cli/demo_names.h"

/* Suffixes follow the statistical area codes: 居委会 (communities) from
 * 001, 村委会 (villages) from 201. */
const struct demo_village demo_villages[] = {
	{"001", "新华社区", 1, 30}, {"002", "西口社区", 1, 27}, {"201", "东沟村", 0, 22}, {"202", "西山村", 0, 20},
	{"203", "上庄村", 0, 21},   {"204", "下寨村", 0, 19},   {"205", "马家湾村", 0, 23}, {"206", "红崖村", 0, 18},
	{"207", "柳树沟村", 0, 20}, {"208", "阳坡村", 0, 21},
};
const size_t demo_village_count = sizeof demo_villages / sizeof demo_villages[0];

const struct demo_unit demo_units[] = {
	{"互助县城管局", "department", "county", 25, {"局长", "执法队员", "执法队员", "办事员", NULL}},
	{"互助县卫生健康局", "department", "county", 18, {"局长", "科员", "科员", "办事员", NULL}},
	{"互助县民政局", "department", "county", 12, {"局长", "科员", "社工", NULL}},
	{"互助县应急管理局", "department", "county", 10, {"局长", "科员", "值班员", NULL}},
	{"互助县教育局", "department", "county", 15, {"局长", "科员", "督学", NULL}},
	{"互助县市场监督管理局", "department", "county", 14, {"局长", "科员", "执法员", NULL}},
	{"互助县疾病预防控制中心", "unit", "county", 20, {"主任", "医师", "检验师", "流调员", NULL}},
	{"西口回族镇人民政府", "department", "town", 30, {"镇长", "副镇长", "干部", "干部", NULL}},
	{"西口回族镇卫生院", "unit", "town", 35, {"院长", "医生", "护士", "护士", NULL}},
	{"西口派出所", "unit", "town", 22, {"所长", "民警", "辅警", NULL}},
	{"西口回族镇中心学校", "unit", "town", 40, {"校长", "教师", "教师", "后勤", NULL}},
	{"西口回族镇中学", "unit", "town", 38, {"校长", "教师", "教师", "后勤", NULL}},
	{"西口回族镇中心幼儿园", "unit", "town", 16, {"园长", "教师", "保育员", NULL}},
	{"西口回族镇供电所", "unit", "town", 9, {"所长", "电工", "营业员", NULL}},
	{"西口回族镇便民服务中心", "department", "town", 8, {"主任", "窗口人员", NULL}},
	{"西口高原农牧开发有限公司", "unit", "town", 30, {"总经理", "技术员", "工人", "工人", NULL}},
	{"海东西口乳业有限公司", "unit", "town", 26, {"总经理", "质检员", "工人", "工人", NULL}},
	{"西口青稞加工厂", "unit", "201", 18, {"厂长", "工人", "工人", "司机", NULL}},
	{"新华社区卫生服务站", "unit", "001", 6, {"站长", "医生", "护士", NULL}},
	{"东沟村卫生室", "unit", "201", 5, {"村医", "护士", NULL}},
};
const size_t demo_unit_count = sizeof demo_units / sizeof demo_units[0];

/* Weights are rough shares per thousand in a Hui and Tu town of eastern
 * Qinghai: the common national surnames, with 马 first. */
const struct demo_weighted demo_surnames[] = {
	{"马", 95}, {"李", 80}, {"王", 75}, {"张", 60}, {"刘", 45}, {"韩", 35}, {"杨", 35}, {"陈", 25},
	{"赵", 25}, {"祁", 22}, {"黄", 15}, {"吴", 15}, {"周", 15}, {"冶", 15}, {"徐", 12}, {"孙", 12},
	{"朱", 12}, {"胡", 12}, {"郭", 12}, {"何", 10}, {"高", 12}, {"鲁", 12}, {"罗", 8},  {"郑", 8},
	{"梁", 8},  {"谢", 8},  {"宋", 8},  {"唐", 8},  {"许", 6},  {"冯", 8},  {"邓", 6},  {"曹", 8},
	{"彭", 5},  {"田", 8},  {"董", 10}, {"袁", 6},  {"潘", 5},  {"于", 6},  {"蒋", 5},  {"蔡", 5},
	{"余", 5},  {"杜", 6},  {"叶", 4},  {"程", 5},  {"苏", 6},  {"魏", 8},  {"吕", 8},  {"丁", 6},
	{"任", 5},  {"姚", 5},  {"卢", 5},  {"姜", 4},  {"崔", 4},  {"谭", 3},  {"汪", 8},  {"范", 4},
	{"金", 4},  {"石", 6},  {"贾", 5},  {"白", 6},  {"孟", 4},  {"秦", 4},  {"薛", 4},  {"闫", 6},
	{"段", 4},  {"雷", 4},  {"侯", 4},  {"史", 4},  {"郝", 5},  {"毛", 3},  {"武", 4},  {"孔", 2},
	{"沙", 6},  {"喇", 4},  {"星", 4},  {"铁", 3},  {"哈", 3},  {"拉", 2},  {"窦", 3},  {"蔺", 2},
};
const size_t demo_surname_count = sizeof demo_surnames / sizeof demo_surnames[0];

const char demo_given_male_old[] = "建国军华明德福贵财有成忠义山海林生祥春永富全发荣胜宝金玉才清文武志学新民兴龙"
				   "虎堂元顺喜旺良登云俊正强平安彪录秉存满仓占奎魁长树根保廷万世光庆寿仁孝连贤治怀邦";
const char demo_given_male_young[] = "浩宇轩博睿泽涛杰磊鹏超鑫晨阳凯帅俊文豪航辰然子一嘉铭昊天琪逸彬斌峰亮勇刚伟强"
				     "飞波辉伦健翔毅栋旭哲锐晟铮骏恒瑞彦源诚梓家炜皓宸煜远泓朗卓锦程立";
const char demo_given_female_old[] = "秀英兰桂芳玉珍梅凤花翠莲香琴菊霞春淑爱荣娥巧云素金银月红萍芝琼彩丽华燕桃杏秋冬"
				     "雪蓉娟敏美慧静平环仙贞竹叶艳芬玲改引招娣粉茹腊梨珠娇芹";
const char demo_given_female_young[] = "欣怡涵萱雨婷佳琪诗梦妍悦彤可馨蕊瑶思嘉雅晨晓璐倩颖菲楠洁丹薇茜琳露娜莹璇宁静艺"
				       "紫芊然韵婧姝沁玥钰岚柔菁语溪伊安月桐曦灵依若晴蕾萌甜乐雯婉婕";

/* 西宁 (城东, 城中, 城西, 城北, 大通) and 海东 (乐都, 平安, 民和, 化隆). */
const char *const demo_regions_qinghai[] = {
	"630102", "630103", "630104", "630105", "630121", "630202", "630203", "630222", "630224",
};
const size_t demo_regions_qinghai_count = sizeof demo_regions_qinghai / sizeof demo_regions_qinghai[0];

/* 兰州 (城关, 七里河, 西固, 安宁, 永登, 榆中), 天水 (秦州, 麦积), 临夏 (临夏市,
 * 临夏县, 康乐, 永靖, 广河, 和政, 东乡, 积石山), 银川 (兴庆), 西安 (新城). */
const char *const demo_regions_other[] = {
	"620102", "620103", "620104", "620105", "620121", "620123", "620502", "620503", "622901",
	"622921", "622922", "622923", "622924", "622925", "622926", "622927", "640104", "610102",
};
const size_t demo_regions_other_count = sizeof demo_regions_other / sizeof demo_regions_other[0];

const char *const demo_mobile_prefixes[] = {
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
	"155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "185", "186", "187", "188",
	"189", "199",
};
const size_t demo_mobile_prefix_count = sizeof demo_mobile_prefixes / sizeof demo_mobile_prefixes[0];
