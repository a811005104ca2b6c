// ---------------------------------------------------------------------------------------------
// The shop's vocabulary

/** How a product's spec dimensions are drawn, and how much each value of a dimension adds. */
export type DimensionRule = { name: string; values: readonly string[]; pick: [number, number]; stepYuan?: number };
export type SubCategoryTemplate = {
  name: string;
  nouns: readonly string[];
  styles: readonly string[];
  materials?: readonly string[];
  points: readonly string[];
  priceYuan: [number, number];
  dimensions: readonly DimensionRule[];
  /** When set, this share of products keeps only the first dimension. */
  singleDimensionShare?: number;
};
export type CategoryTemplate = { name: string; brands: readonly string[]; seasons: readonly string[]; afterSales: string; subs: readonly SubCategoryTemplate[] };

export const WOMEN_COLORS = ['黑色', '米白', '燕麦色', '雾霾蓝', '豆沙粉', '碎花绿', '酒红', '卡其'] as const;
export const MEN_COLORS = ['黑色', '白色', '藏青', '浅灰', '卡其', '军绿', '深咖'] as const;
export const SHOE_COLORS = ['黑色', '白色', '米白', '灰色', '棕色', '白绿'] as const;
export const BAG_COLORS = ['黑色', '奶白', '焦糖色', '雾霾蓝', '墨绿', '酒红'] as const;
export const GADGET_COLORS = ['曜石黑', '珍珠白', '远峰蓝', '薄荷绿', '樱花粉'] as const;
export const HOME_COLORS = ['奶油白', '雾霾蓝', '浅灰', '燕麦色', '豆绿', '樱花粉'] as const;
export const CLOTHING_SIZES = ['S', 'M', 'L', 'XL', 'XXL'] as const;
export const MEN_SIZES = ['M', 'L', 'XL', 'XXL', '3XL'] as const;
export const SHOE_SIZES = ['36', '37', '38', '39', '40', '41', '42', '43', '44'] as const;

export const CATEGORY_TEMPLATES: readonly CategoryTemplate[] = [
  {
    name: '女装',
    brands: ['森屿', '拾光里', '素墨', '南枝', '知夏'],
    seasons: ['春夏新款', '秋冬新款', '早春新款', '当季新款'],
    afterSales: '支持7天无理由退换，赠运费险。',
    subs: [
      {
        name: '连衣裙',
        nouns: ['连衣裙', '碎花连衣裙', '茶歇连衣裙', '针织连衣裙', '衬衫连衣裙'],
        styles: ['法式', '温柔风', '复古', '气质', '小众设计感', '简约'],
        materials: ['雪纺', '棉麻', '醋酸', '真丝', '纯棉'],
        points: ['收腰显瘦', '垂感好不易皱', '中长款遮肉', '通勤约会都能穿', '透气不闷热'],
        priceYuan: [129, 459],
        dimensions: [
          { name: '颜色', values: WOMEN_COLORS, pick: [2, 4] },
          { name: '尺码', values: CLOTHING_SIZES, pick: [3, 4] },
        ],
      },
      {
        name: 'T恤',
        nouns: ['短袖T恤', '纯棉T恤', '印花T恤', '宽松T恤', '修身T恤'],
        styles: ['百搭', '基础款', '简约', '韩版', '休闲'],
        materials: ['新疆棉', '精梳棉', '莫代尔'],
        points: ['亲肤不起球', '不易变形', '宽松遮肉', '多色可选', '水洗不褪色'],
        priceYuan: [49, 159],
        dimensions: [
          { name: '颜色', values: WOMEN_COLORS, pick: [2, 4] },
          { name: '尺码', values: CLOTHING_SIZES, pick: [3, 5] },
        ],
      },
      {
        name: '外套',
        nouns: ['西装外套', '风衣外套', '牛仔外套', '针织开衫', '短款外套'],
        styles: ['气质', '英伦风', '复古', '通勤', '宽松'],
        materials: ['羊毛', '棉质', '牛仔', '混纺'],
        points: ['版型挺括', '早秋必备', '遮肉显高', '内搭百搭', '做工精致'],
        priceYuan: [199, 699],
        dimensions: [
          { name: '颜色', values: WOMEN_COLORS, pick: [2, 3] },
          { name: '尺码', values: CLOTHING_SIZES, pick: [3, 4] },
        ],
      },
      {
        name: '半身裙',
        nouns: ['百褶半身裙', 'A字半身裙', '包臀半身裙', '伞裙'],
        styles: ['高腰', '显瘦', '甜美', '通勤', '复古'],
        materials: ['雪纺', '针织', '西装面料', '牛仔'],
        points: ['高腰显腿长', '垂坠感好', '四季可穿', '百搭不挑人'],
        priceYuan: [89, 259],
        dimensions: [
          { name: '颜色', values: WOMEN_COLORS, pick: [2, 3] },
          { name: '尺码', values: ['S', 'M', 'L'], pick: [3, 3] },
        ],
      },
    ],
  },
  {
    name: '男装',
    brands: ['型格', '北境', '简行', '山野客', '木森'],
    seasons: ['春季新款', '秋季新款', '四季款', '当季新款'],
    afterSales: '支持7天无理由退换，质量问题包退。',
    subs: [
      {
        name: '衬衫',
        nouns: ['长袖衬衫', '牛津纺衬衫', '免烫衬衫', '商务衬衫', '短袖衬衫'],
        styles: ['商务', '休闲', '修身', '日系', '简约'],
        materials: ['纯棉', '竹纤维', '亚麻'],
        points: ['免烫抗皱', '透气舒适', '上班约会都合适', '不易起球'],
        priceYuan: [99, 299],
        dimensions: [
          { name: '颜色', values: MEN_COLORS, pick: [2, 4] },
          { name: '尺码', values: MEN_SIZES, pick: [3, 5] },
        ],
      },
      {
        name: '卫衣',
        nouns: ['连帽卫衣', '圆领卫衣', '加绒卫衣', '半拉链卫衣'],
        styles: ['美式', '宽松', '潮流', '复古', '基础款'],
        materials: ['纯棉', '毛圈', '加绒'],
        points: ['厚实不透', '宽松落肩', '不起球不掉色', '情侣同款'],
        priceYuan: [129, 329],
        dimensions: [
          { name: '颜色', values: MEN_COLORS, pick: [2, 4] },
          { name: '尺码', values: MEN_SIZES, pick: [3, 5] },
        ],
      },
      {
        name: '休闲裤',
        nouns: ['休闲裤', '工装裤', '直筒休闲裤', '束脚运动裤', '九分裤'],
        styles: ['宽松', '修身', '美式', '日系', '商务'],
        materials: ['纯棉', '冰丝', '弹力'],
        points: ['弹力舒适', '垂感好', '不易起皱', '四季可穿', '显腿直'],
        priceYuan: [119, 299],
        dimensions: [
          { name: '颜色', values: MEN_COLORS, pick: [2, 3] },
          { name: '尺码', values: ['29', '30', '31', '32', '33', '34', '36'], pick: [4, 5] },
        ],
      },
    ],
  },
  {
    name: '鞋靴',
    brands: ['步履', '云跑', '踏歌', '行者', '轻羽'],
    seasons: ['新款', '春秋款', '四季款'],
    afterSales: '支持7天无理由退换，尺码不合适免费换。',
    subs: [
      {
        name: '运动鞋',
        nouns: ['跑步鞋', '休闲运动鞋', '老爹鞋', '板鞋', '缓震跑鞋'],
        styles: ['轻便', '透气', '百搭', '增高', '专业'],
        materials: ['网面', '飞织', '真皮'],
        points: ['缓震回弹', '轻便不累脚', '防滑耐磨', '透气不闷脚'],
        priceYuan: [199, 599],
        dimensions: [
          { name: '颜色', values: SHOE_COLORS, pick: [2, 3] },
          { name: '尺码', values: SHOE_SIZES, pick: [4, 6] },
        ],
      },
      {
        name: '皮鞋',
        nouns: ['乐福鞋', '商务皮鞋', '玛丽珍鞋', '德比鞋'],
        styles: ['英伦', '复古', '通勤', '软底'],
        materials: ['真皮', '头层牛皮', '漆皮'],
        points: ['软底不磨脚', '久站不累', '做工精细', '正装百搭'],
        priceYuan: [259, 699],
        dimensions: [
          { name: '颜色', values: ['黑色', '棕色', '酒红', '米白'], pick: [2, 3] },
          { name: '尺码', values: SHOE_SIZES, pick: [4, 6] },
        ],
      },
      {
        name: '靴子',
        nouns: ['切尔西靴', '马丁靴', '雪地靴', '短靴'],
        styles: ['复古', '加绒', '厚底', '百搭'],
        materials: ['真皮', '麂皮', '羊皮毛一体'],
        points: ['保暖防滑', '厚底增高', '显瘦显高', '冬季必备'],
        priceYuan: [299, 799],
        dimensions: [
          { name: '颜色', values: ['黑色', '棕色', '栗色', '灰色'], pick: [2, 3] },
          { name: '尺码', values: SHOE_SIZES, pick: [4, 6] },
        ],
      },
    ],
  },
  {
    name: '箱包',
    brands: ['行囊', '途乐', '拾物', '旅小盒'],
    seasons: ['新款', '经典款', '通勤款'],
    afterSales: '箱包五金一年保修，支持7天无理由退换。',
    subs: [
      {
        name: '双肩包',
        nouns: ['双肩包', '电脑双肩包', '通勤背包', '旅行背包'],
        styles: ['大容量', '轻便', '防泼水', '商务', '学院风'],
        materials: ['尼龙', '牛津布', '帆布'],
        points: ['可放15.6寸电脑', '多隔层收纳', '减压背带', '防泼水面料'],
        priceYuan: [129, 399],
        dimensions: [{ name: '颜色', values: BAG_COLORS, pick: [2, 4] }],
      },
      {
        name: '手提包',
        nouns: ['托特包', '腋下包', '斜挎包', '水桶包'],
        styles: ['通勤', '复古', '高级感', '小众'],
        materials: ['真皮', '牛皮', 'PU皮', '帆布'],
        points: ['大容量通勤', '可手提可斜挎', '五金精致', '百搭不挑衣服'],
        priceYuan: [159, 599],
        dimensions: [{ name: '颜色', values: BAG_COLORS, pick: [2, 4] }],
      },
      {
        name: '行李箱',
        nouns: ['拉杆箱', '铝框行李箱', '登机箱', '旅行箱'],
        styles: ['静音万向轮', '大容量', '超轻', '耐摔'],
        materials: ['PC', '铝镁合金'],
        points: ['静音万向轮', 'TSA海关锁', '可扩容设计', '三年质保'],
        priceYuan: [299, 899],
        dimensions: [
          { name: '颜色', values: ['曜石黑', '月光银', '雾霾蓝', '奶油白'], pick: [2, 3] },
          { name: '尺寸', values: ['20英寸', '24英寸', '28英寸'], pick: [2, 3], stepYuan: 60 },
        ],
      },
    ],
  },
  {
    name: '美妆',
    brands: ['花研', '水漾', '初颜', '植物说', '肌本'],
    seasons: ['', '新品', '升级版'],
    afterSales: '官方正品保障，未拆封支持7天无理由退货。',
    subs: [
      {
        name: '面霜',
        nouns: ['保湿面霜', '修护面霜', '紧致面霜', '素颜霜'],
        styles: ['补水', '舒缓', '清爽', '滋润'],
        points: ['敏感肌可用', '24小时长效保湿', '质地轻盈好吸收', '修护屏障'],
        priceYuan: [99, 399],
        dimensions: [{ name: '规格', values: ['30g', '50g', '50g+赠小样'], pick: [2, 3], stepYuan: 40 }],
      },
      {
        name: '口红',
        nouns: ['哑光口红', '丝绒唇釉', '滋润口红', '唇泥'],
        styles: ['显白', '持久', '不沾杯', '水润'],
        points: ['显白不挑皮', '持久不掉色', '薄涂厚涂都好看', '礼盒包装'],
        priceYuan: [69, 259],
        dimensions: [{ name: '色号', values: ['#101 正红', '#202 豆沙', '#303 枫叶红', '#404 奶茶', '#505 番茄红', '#606 玫瑰'], pick: [3, 5] }],
      },
      {
        name: '精华液',
        nouns: ['精华液', '玻尿酸精华', '烟酰胺精华', '修护精华'],
        styles: ['补水', '提亮', '抗初老', '舒缓'],
        points: ['提亮肤色', '深层补水', '温和不刺激', '质地清爽'],
        priceYuan: [159, 599],
        dimensions: [{ name: '规格', values: ['30ml', '50ml', '100ml'], pick: [2, 3], stepYuan: 80 }],
      },
      {
        name: '面膜',
        nouns: ['补水面膜', '清洁泥膜', '睡眠面膜', '修护面膜'],
        styles: ['补水', '清洁', '提亮', '舒缓'],
        points: ['一片补水一整天', '薄如蝉翼服帖', '敏感肌可用', '精华液满满'],
        priceYuan: [59, 199],
        dimensions: [
          { name: '款式', values: ['补水款', '美白款', '修护款', '清洁款'], pick: [2, 3] },
          { name: '规格', values: ['5片装', '10片装', '20片装'], pick: [2, 3], stepYuan: 40 },
        ],
      },
    ],
  },
  {
    name: '食品生鲜',
    brands: ['山谷鲜', '三只果', '谷语', '茶山人家', '牧场时光'],
    seasons: ['', '当季', '新品'],
    afterSales: '坏果包赔，顺丰冷链配送。',
    subs: [
      {
        name: '坚果零食',
        nouns: ['每日坚果', '夏威夷果', '碧根果', '混合坚果', '开心果'],
        styles: ['独立小包装', '原味', '烘焙', '无添加'],
        points: ['颗颗饱满', '独立小包装', '办公室零食', '孕妇可吃'],
        priceYuan: [29, 129],
        dimensions: [
          { name: '口味', values: ['原味', '奶油味', '椒盐味', '蜂蜜味'], pick: [2, 3] },
          { name: '规格', values: ['250g', '500g', '1kg'], pick: [2, 3], stepYuan: 25 },
        ],
        singleDimensionShare: 0.3,
      },
      {
        name: '茶叶',
        nouns: ['明前龙井', '正山小种红茶', '安溪铁观音', '云南普洱茶', '白毫银针'],
        styles: ['特级', '一级', '浓香型', '高山'],
        points: ['产地直采', '口感醇厚', '送礼自饮皆宜', '密封罐装'],
        priceYuan: [69, 499],
        dimensions: [{ name: '规格', values: ['100g罐装', '250g礼盒', '500g家庭装'], pick: [2, 3], stepYuan: 70 }],
      },
      {
        name: '水果',
        nouns: ['赣南脐橙', '丹东草莓', '烟台红富士苹果', '海南金煌芒', '阳光玫瑰葡萄'],
        styles: ['新鲜现摘', '产地直发', '当季', '精选大果'],
        points: ['产地直发', '坏果包赔', '香甜多汁', '现摘现发'],
        priceYuan: [29, 129],
        dimensions: [{ name: '规格', values: ['3斤装', '5斤装', '10斤装'], pick: [2, 3], stepYuan: 20 }],
      },
      {
        name: '牛奶',
        nouns: ['纯牛奶', '高钙牛奶', '有机纯牛奶', '低脂牛奶', '儿童成长奶'],
        styles: ['全脂', '草原', '早餐', '营养'],
        points: ['优质乳蛋白', '牧场直供', '整箱装更划算', '早餐好搭档'],
        priceYuan: [39, 129],
        dimensions: [
          { name: '规格', values: ['250ml×12盒', '250ml×16盒', '250ml×24盒'], pick: [2, 3], stepYuan: 20 },
          { name: '数量', values: ['1箱', '2箱'], pick: [2, 2], stepYuan: 50 },
        ],
        singleDimensionShare: 0.5,
      },
    ],
  },
  {
    name: '数码',
    brands: ['声悦', '电小强', '极光', '轻芒', '酷核'],
    seasons: ['新款', '旗舰款', '升级款'],
    afterSales: '全国联保一年，支持7天无理由退换。',
    subs: [
      {
        name: '耳机',
        nouns: ['真无线蓝牙耳机', '降噪耳机', '头戴式耳机', '运动耳机'],
        styles: ['主动降噪', '超长续航', '低延迟', '半入耳'],
        points: ['主动降噪', '续航30小时', '蓝牙5.3', '通话降噪'],
        priceYuan: [99, 699],
        dimensions: [
          { name: '颜色', values: GADGET_COLORS, pick: [2, 3] },
          { name: '版本', values: ['标准版', '降噪版', 'Pro版'], pick: [2, 3], stepYuan: 100 },
        ],
      },
      {
        name: '充电宝',
        nouns: ['充电宝', '磁吸充电宝', '快充移动电源'],
        styles: ['超薄', '大容量', '迷你', '自带线'],
        points: ['22.5W快充', '可上飞机', '多设备同充', '电量数显'],
        priceYuan: [79, 259],
        dimensions: [
          { name: '颜色', values: GADGET_COLORS, pick: [2, 3] },
          { name: '容量', values: ['10000mAh', '20000mAh'], pick: [2, 2], stepYuan: 40 },
        ],
      },
      {
        name: '手机壳',
        nouns: ['手机壳', '磁吸手机壳', '防摔手机壳', '硅胶手机壳'],
        styles: ['透明', '全包', '肤感', '简约'],
        points: ['四角气囊防摔', '不发黄', '支持无线充电', '精准开孔'],
        priceYuan: [29, 89],
        dimensions: [
          { name: '颜色', values: ['透明', '黑色', '雾蓝', '奶白', '薄荷绿'], pick: [2, 4] },
          { name: '机型', values: ['iPhone 15', 'iPhone 15 Pro', 'iPhone 16', 'iPhone 16 Pro', '华为 Mate 60', '小米 14'], pick: [3, 5] },
        ],
      },
      {
        name: '智能手表',
        nouns: ['智能手表', '运动手环', '儿童电话手表'],
        styles: ['血氧监测', '长续航', 'NFC', '防水'],
        points: ['心率血氧监测', '续航14天', '50米防水', '百种运动模式'],
        priceYuan: [199, 1299],
        dimensions: [
          { name: '颜色', values: GADGET_COLORS, pick: [2, 3] },
          { name: '表带', values: ['硅胶表带', '皮质表带', '金属表带'], pick: [2, 3], stepYuan: 50 },
        ],
      },
    ],
  },
  {
    name: '家居',
    brands: ['栖木', '棉语', '简居', '暖窝', '木几'],
    seasons: ['新款', '四季款', 'ins风'],
    afterSales: '支持7天无理由退换，破损包赔。',
    subs: [
      {
        name: '四件套',
        nouns: ['纯棉四件套', '天丝四件套', '水洗棉四件套', '全棉床上四件套'],
        styles: ['简约', '北欧风', '纯色', '少女心'],
        points: ['亲肤透气', '不起球不褪色', '裸睡级触感', 'A类母婴级'],
        priceYuan: [199, 699],
        dimensions: [
          { name: '颜色', values: HOME_COLORS, pick: [2, 4] },
          { name: '尺寸', values: ['1.5m床', '1.8m床', '2.0m床'], pick: [2, 3], stepYuan: 40 },
        ],
      },
      {
        name: '收纳箱',
        nouns: ['收纳箱', '折叠收纳箱', '衣物收纳盒', '桌面收纳盒'],
        styles: ['加厚', '大容量', '可叠加', '透明'],
        points: ['可叠加省空间', '防尘防潮', '带盖带轮', '家用搬家两用'],
        priceYuan: [29, 99],
        dimensions: [
          { name: '颜色', values: ['透明', '奶白', '浅灰', '雾霾蓝'], pick: [2, 3] },
          { name: '规格', values: ['小号', '中号', '大号'], pick: [2, 3], stepYuan: 10 },
        ],
      },
      {
        name: '毛巾',
        nouns: ['纯棉毛巾', '浴巾', '洗脸巾', '速干毛巾'],
        styles: ['加厚', '柔软', '吸水', 'A类'],
        points: ['吸水不掉毛', '新疆长绒棉', '柔软亲肤', '母婴可用'],
        priceYuan: [19, 89],
        dimensions: [
          { name: '颜色', values: HOME_COLORS, pick: [2, 4] },
          { name: '规格', values: ['单条装', '三条装'], pick: [2, 2], stepYuan: 30 },
        ],
        singleDimensionShare: 0.3,
      },
      {
        name: '香薰',
        nouns: ['香薰蜡烛', '无火香薰', '车载香薰', '扩香石'],
        styles: ['卧室', '持久', '高级感', '助眠'],
        points: ['天然植物精油', '留香持久', '送礼有面子', '卧室助眠'],
        priceYuan: [49, 199],
        dimensions: [{ name: '香型', values: ['白茶', '雪松', '无花果', '海盐鼠尾草', '小苍兰'], pick: [3, 5] }],
      },
    ],
  },
  {
    name: '运动户外',
    brands: ['野趣', '跃动', '山行者', '轻驰'],
    seasons: ['新款', '四季款', '专业款'],
    afterSales: '支持7天无理由退换，质量问题一年内免费换新。',
    subs: [
      {
        name: '瑜伽垫',
        nouns: ['瑜伽垫', '加厚瑜伽垫', 'TPE瑜伽垫', '健身垫'],
        styles: ['防滑', '加宽', '环保', '静音'],
        points: ['双面防滑', '回弹好不塌陷', '无异味', '附赠收纳绑带'],
        priceYuan: [59, 199],
        dimensions: [
          { name: '颜色', values: ['紫罗兰', '薄荷绿', '樱花粉', '深空灰'], pick: [2, 4] },
          { name: '厚度', values: ['6mm', '8mm', '10mm'], pick: [2, 3], stepYuan: 20 },
        ],
      },
      {
        name: '运动服',
        nouns: ['速干T恤', '运动套装', '瑜伽服', '跑步短裤'],
        styles: ['速干', '高弹', '透气', '修身'],
        points: ['吸湿速干', '四向高弹', '健身跑步都合适', '不易起球'],
        priceYuan: [89, 299],
        dimensions: [
          { name: '颜色', values: ['黑色', '白色', '雾霾蓝', '薄荷绿', '酒红'], pick: [2, 4] },
          { name: '尺码', values: CLOTHING_SIZES, pick: [3, 5] },
        ],
      },
      {
        name: '帐篷',
        nouns: ['露营帐篷', '自动帐篷', '天幕帐篷', '儿童帐篷'],
        styles: ['全自动', '防雨', '防晒', '便携'],
        points: ['一秒速开', '防雨防晒', '通风透气', '收纳便携'],
        priceYuan: [199, 999],
        dimensions: [
          { name: '颜色', values: ['军绿', '卡其', '燕麦色', '天空蓝'], pick: [2, 3] },
          { name: '规格', values: ['2人', '3-4人', '5-8人'], pick: [2, 3], stepYuan: 150 },
        ],
      },
    ],
  },
  {
    name: '母婴',
    brands: ['贝护', '小鹿妈妈', '宝贝日记', '棉小芽'],
    seasons: ['', '新品', '升级款'],
    afterSales: '正品保障，支持7天无理由退换。',
    subs: [
      {
        name: '纸尿裤',
        nouns: ['纸尿裤', '拉拉裤', '超薄纸尿裤', '夜用纸尿裤'],
        styles: ['超薄透气', '干爽', '夜用', '敏感肌'],
        points: ['超薄透气', '3D防漏', '瞬吸干爽', '柔软不红屁屁'],
        priceYuan: [79, 199],
        dimensions: [{ name: '尺码', values: ['NB', 'S', 'M', 'L', 'XL', 'XXL'], pick: [4, 6] }],
      },
      {
        name: '婴儿服',
        nouns: ['婴儿连体衣', '纯棉爬服', '宝宝哈衣', '婴儿睡袋'],
        styles: ['A类', '纯棉', '四季', '可爱'],
        points: ['A类纯棉', '无骨缝制', '按扣设计好穿脱', '柔软亲肤'],
        priceYuan: [59, 159],
        dimensions: [
          { name: '颜色', values: ['奶白', '浅粉', '浅蓝', '燕麦色', '小熊印花'], pick: [2, 3] },
          { name: '尺码', values: ['59cm', '66cm', '73cm', '80cm', '90cm'], pick: [3, 5] },
        ],
      },
      {
        name: '奶瓶',
        nouns: ['玻璃奶瓶', 'PPSU奶瓶', '宽口径奶瓶', '防胀气奶瓶'],
        styles: ['防胀气', '宽口径', '耐摔', '新生儿'],
        points: ['防胀气设计', '仿母乳奶嘴', '耐高温可消毒', '宽口易清洗'],
        priceYuan: [59, 199],
        dimensions: [{ name: '容量', values: ['160ml', '240ml', '300ml'], pick: [2, 3], stepYuan: 15 }],
      },
    ],
  },
];

export const SEED_TAGS = ['新品', '热卖', '包邮', '限时折扣', '爆款', '官方正品', '顺丰发货', '七天无理由'] as const;

// ---------------------------------------------------------------------------------------------
