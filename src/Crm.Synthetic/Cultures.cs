namespace Crm.Synthetic;

/// <summary>The countries people come from, with their weights in the population.</summary>
internal static class Cultures
{
    public static readonly Culture[] Latin =
    [
        new()
        {
            Country = "US", CountryName = "United States", Language = "en", Currency = "USD", FxPerUnit = 1.08m, Weight = 24,
            Male = ["James", "Robert", "John", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Christopher", "Daniel", "Matthew", "Anthony", "Jose", "Andrew"],
            Female = ["Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Nancy", "Margaret", "Katherine", "Ashley", "Emily"],
            Family = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "O'Brien", "Nguyen"],
            Streets = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Ave", "Washington Blvd", "Lakeview Rd", "Elm St", "Pine St", "Sunset Blvd"],
            Cities = ["Springfield", "Portland", "Austin", "Denver", "Columbus", "Madison", "Raleigh", "Boise", "Tucson", "Omaha"],
            PostcodePattern = "#####", CallingCode = "1", NationalDigits = 10,
            PhonePatterns = ["(###) ###-####", "###-###-####", "###.###.####", "##########", "+1 ### ### ####", "+1-###-###-####"],
            MailDomains = ["gmail.com", "yahoo.com", "outlook.com", "aol.com", "icloud.com", "comcast.net"],
            NumberFirst = true, UtcOffsetMinutes = -300, DstRule = "us",
        },
        new()
        {
            Country = "GB", CountryName = "United Kingdom", Language = "en", Currency = "GBP", FxPerUnit = 0.85m, Weight = 12,
            Male = ["Oliver", "George", "Harry", "Jack", "William", "Thomas", "James", "Charles", "Edward", "Alexander"],
            Female = ["Olivia", "Amelia", "Isla", "Emily", "Charlotte", "Elizabeth", "Sophie", "Margaret", "Victoria", "Eleanor"],
            Family = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "O'Connor", "McDonald"],
            Streets = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane", "Manor Road", "Kings Road", "Queen Street"],
            Cities = ["London", "Manchester", "Leeds", "Bristol", "Sheffield", "Nottingham", "Cardiff", "Edinburgh", "Glasgow", "York"],
            PostcodePattern = "@@# #@@", CallingCode = "44", NationalDigits = 10,
            PhonePatterns = ["0#### ######", "0### ### ####", "0##########", "+44 #### ######", "+44 (0)#### ######"],
            MailDomains = ["gmail.com", "hotmail.co.uk", "btinternet.com", "yahoo.co.uk", "outlook.com"],
            NumberFirst = true, UtcOffsetMinutes = 0, DstRule = "eu",
        },
        new()
        {
            Country = "DE", CountryName = "Deutschland", Language = "de", Currency = "EUR", FxPerUnit = 1m, Weight = 14,
            Male = ["Jürgen", "Thomas", "Michael", "Andreas", "Stefan", "Johannes", "Matthias", "Günther", "Alexander", "Maximilian", "Lukas", "Jörg"],
            Female = ["Ursula", "Sabine", "Katharina", "Anna", "Margarete", "Jessica", "Susanne", "Käthe", "Elisabeth", "Sophie", "Jana", "Brigitte"],
            Family = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Groß", "Weiß", "Köhler"],
            Streets = ["Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße", "Bergstraße", "Lindenallee", "Mühlenweg", "Goethestraße", "Am Markt"],
            Cities = ["Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf", "Leipzig", "Nürnberg", "Lübeck"],
            PostcodePattern = "#####", CallingCode = "49", NationalDigits = 10,
            PhonePatterns = ["0### #######", "0###/#######", "0###-#######", "+49 ### #######", "+49 (0)### #######", "0049 ### #######"],
            MailDomains = ["web.de", "gmx.de", "t-online.de", "gmail.com", "freenet.de", "posteo.de"],
            UtcOffsetMinutes = 60, DstRule = "eu",
        },
        new()
        {
            Country = "FR", CountryName = "France", Language = "fr", Currency = "EUR", FxPerUnit = 1m, Weight = 10,
            Male = ["Jean", "François", "Nicolas", "Stéphane", "Frédéric", "Jérôme", "Sébastien", "Louis", "Hervé", "Benoît"],
            Female = ["Marie", "Élodie", "Hélène", "Céline", "Françoise", "Amélie", "Chloé", "Véronique", "Margaux", "Zoé"],
            Family = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Lefèvre", "Moreau", "Girard", "Rousseau", "Lefebvre", "Mercier", "Faure"],
            Streets = ["rue de la Paix", "avenue Victor Hugo", "rue du Château", "boulevard Saint-Michel", "rue de l'Église", "place de la République", "chemin des Écoliers"],
            Cities = ["Paris", "Lyon", "Marseille", "Toulouse", "Nice", "Nantes", "Strasbourg", "Montpellier", "Bordeaux", "Besançon"],
            PostcodePattern = "#####", CallingCode = "33", NationalDigits = 9,
            PhonePatterns = ["0# ## ## ## ##", "0#.##.##.##.##", "0#########", "+33 # ## ## ## ##", "+33 (0)# ## ## ## ##"],
            MailDomains = ["orange.fr", "free.fr", "laposte.net", "gmail.com", "sfr.fr", "wanadoo.fr"],
            NumberFirst = true, UtcOffsetMinutes = 60, DstRule = "eu",
        },
        new()
        {
            Country = "ES", CountryName = "España", Language = "es", Currency = "EUR", FxPerUnit = 1m, Weight = 8,
            Male = ["José", "Antonio", "Manuel", "Francisco", "Javier", "Jesús", "Ángel", "Sergio", "Raúl", "Iñaki"],
            Female = ["María", "Carmen", "Lucía", "Ana", "Dolores", "Begoña", "Inés", "Raquel", "Mónica", "Pilar"],
            Family = ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Muñoz", "Jiménez", "Álvarez", "Peña", "Ibáñez"],
            Streets = ["Calle Mayor", "Calle del Sol", "Avenida de la Constitución", "Plaza de España", "Calle Real", "Paseo de la Castellana", "Calle de Alcalá"],
            Cities = ["Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "Córdoba", "Alicante", "A Coruña"],
            PostcodePattern = "#####", CallingCode = "34", NationalDigits = 9,
            PhonePatterns = ["### ### ###", "### ## ## ##", "#########", "+34 ### ### ###", "0034 #########"],
            MailDomains = ["gmail.com", "hotmail.es", "yahoo.es", "telefonica.net", "outlook.es"],
            UtcOffsetMinutes = 60, DstRule = "eu",
        },
        new()
        {
            Country = "IT", CountryName = "Italia", Language = "it", Currency = "EUR", FxPerUnit = 1m, Weight = 6,
            Male = ["Giuseppe", "Giovanni", "Antonio", "Mario", "Luca", "Francesco", "Niccolò", "Alessandro", "Andrea", "Matteo"],
            Female = ["Maria", "Anna", "Giulia", "Francesca", "Chiara", "Federica", "Lucia", "Elisabetta", "Sara", "Paola"],
            Family = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "De Luca", "Conti", "Mancini"],
            Streets = ["Via Roma", "Via Garibaldi", "Corso Italia", "Via Dante", "Piazza del Popolo", "Via Mazzini", "Via Verdi"],
            Cities = ["Roma", "Milano", "Napoli", "Torino", "Palermo", "Genova", "Bologna", "Firenze", "Cantù", "Forlì"],
            PostcodePattern = "#####", CallingCode = "39", NationalDigits = 10,
            PhonePatterns = ["0# #### ####", "### ### ####", "##########", "+39 0# #### ####", "+39 ### ### ####"],
            MailDomains = ["libero.it", "gmail.com", "virgilio.it", "tiscali.it", "alice.it"],
            UtcOffsetMinutes = 60, DstRule = "eu",
        },
        new()
        {
            Country = "PL", CountryName = "Polska", Language = "pl", Currency = "PLN", FxPerUnit = 4.3m, Weight = 4,
            Male = ["Łukasz", "Paweł", "Krzysztof", "Tomasz", "Michał", "Piotr", "Grzegorz", "Wojciech"],
            Female = ["Małgorzata", "Katarzyna", "Agnieszka", "Joanna", "Żaneta", "Magdalena", "Ewa", "Zofia"],
            Family = ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak"],
            Streets = ["ul. Marszałkowska", "ul. Długa", "ul. Piękna", "ul. Kościuszki", "ul. Mickiewicza", "al. Jerozolimskie"],
            Cities = ["Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Szczecin"],
            PostcodePattern = "##-###", CallingCode = "48", NationalDigits = 9,
            PhonePatterns = ["## ### ## ##", "### ### ###", "#########", "+48 ## ### ## ##", "+48 ### ### ###"],
            MailDomains = ["wp.pl", "onet.pl", "interia.pl", "gmail.com", "o2.pl"],
            UtcOffsetMinutes = 60, DstRule = "eu",
        },
        new()
        {
            Country = "TR", CountryName = "Türkiye", Language = "tr", Currency = "TRY", FxPerUnit = 35m, Weight = 3,
            Male = ["Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "İbrahim", "Çağlar", "Oğuz"],
            Female = ["Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Şule", "Gülşen", "Özlem"],
            Family = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir"],
            Streets = ["Atatürk Caddesi", "İstiklal Caddesi", "Cumhuriyet Sokak", "Bağdat Caddesi", "Gül Sokak"],
            Cities = ["İstanbul", "Ankara", "İzmir", "Bursa", "Antalya", "Eskişehir"],
            PostcodePattern = "#####", CallingCode = "90", NationalDigits = 10,
            PhonePatterns = ["0### ### ## ##", "(0###) ### ## ##", "+90 ### ### ## ##", "+90 ##########"],
            MailDomains = ["gmail.com", "hotmail.com", "yandex.com.tr", "outlook.com"],
            UtcOffsetMinutes = 180,
        },
        new()
        {
            Country = "BR", CountryName = "Brasil", Language = "pt", Currency = "BRL", FxPerUnit = 5.9m, Weight = 4,
            Male = ["João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Luís", "Sebastião", "Gonçalo"],
            Female = ["Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Conceição", "Luíza"],
            Family = ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gonçalves", "Araújo", "Ribeiro"],
            Streets = ["Rua das Flores", "Avenida Paulista", "Rua São João", "Avenida Brasil", "Rua da Consolação", "Travessa do Comércio"],
            Cities = ["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Brasília", "Salvador", "Curitiba", "Fortaleza", "Goiânia"],
            PostcodePattern = "#####-###", CallingCode = "55", NationalDigits = 11,
            PhonePatterns = ["(##) #####-####", "## #####-####", "###########", "+55 ## #####-####", "+55 (##) #####-####"],
            MailDomains = ["gmail.com", "uol.com.br", "bol.com.br", "hotmail.com", "terra.com.br"],
            UtcOffsetMinutes = -180,
        },
        new()
        {
            Country = "NL", CountryName = "Nederland", Language = "nl", Currency = "EUR", FxPerUnit = 1m, Weight = 3,
            Male = ["Daan", "Sem", "Jan", "Pieter", "Thijs", "Bram", "Joost", "Sjoerd"],
            Female = ["Emma", "Julia", "Sanne", "Anouk", "Fleur", "Lotte", "Marieke", "Ineke"],
            Family = ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "van der Meer"],
            Streets = ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Prinsengracht", "Schoolstraat"],
            Cities = ["Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg"],
            PostcodePattern = "#### @@", CallingCode = "31", NationalDigits = 9,
            PhonePatterns = ["0## ### ####", "0##-#######", "06-########", "+31 ## ### ####", "+31 (0)## #######"],
            MailDomains = ["gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl", "xs4all.nl"],
            UtcOffsetMinutes = 60, DstRule = "eu",
        },
        new()
        {
            Country = "SE", CountryName = "Sverige", Language = "sv", Currency = "SEK", FxPerUnit = 11.5m, Weight = 2,
            Male = ["Lars", "Anders", "Björn", "Måns", "Nils", "Johan", "Östen", "Erik"],
            Female = ["Anna", "Åsa", "Märta", "Ingrid", "Karin", "Linnéa", "Birgitta", "Sofia"],
            Family = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Öberg", "Åkesson", "Lindström", "Bergström"],
            Streets = ["Storgatan", "Drottninggatan", "Kungsgatan", "Skolgatan", "Järnvägsgatan", "Ängsvägen"],
            Cities = ["Stockholm", "Göteborg", "Malmö", "Uppsala", "Västerås", "Örebro", "Linköping"],
            PostcodePattern = "### ##", CallingCode = "46", NationalDigits = 9,
            PhonePatterns = ["0##-### ## ##", "0## ### ## ##", "0#########", "+46 ## ### ## ##", "+46-##-#######"],
            MailDomains = ["gmail.com", "telia.com", "hotmail.se", "bredband.net"],
            UtcOffsetMinutes = 60, DstRule = "eu",
        },
    ];

    /// <summary>Cultures whose names are written in another script; every name has a <c>native|latin</c> form.</summary>
    public static readonly Culture[] NonLatinCultures =
    [
        new()
        {
            Country = "RU", CountryName = "Россия", Language = "ru", Currency = "RUB", FxPerUnit = 98m, Weight = 3, NonLatin = true,
            Male = ["Александр|Aleksandr", "Дмитрий|Dmitry", "Сергей|Sergey", "Андрей|Andrey", "Михаил|Mikhail", "Иван|Ivan"],
            Female = ["Елена|Elena", "Ольга|Olga", "Наталья|Natalya", "Татьяна|Tatyana", "Анастасия|Anastasia", "Мария|Maria"],
            Family = ["Иванов|Ivanov", "Смирнов|Smirnov", "Кузнецов|Kuznetsov", "Попов|Popov", "Соколов|Sokolov", "Лебедев|Lebedev", "Новиков|Novikov"],
            Streets = ["ул. Ленина", "ул. Пушкина", "пр. Мира", "ул. Гагарина", "Невский пр."],
            Cities = ["Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань"],
            PostcodePattern = "######", CallingCode = "7", NationalDigits = 10,
            PhonePatterns = ["8 (###) ###-##-##", "8###-###-##-##", "+7 ### ###-##-##", "+7 (###) ### ## ##"],
            MailDomains = ["mail.ru", "yandex.ru", "gmail.com", "rambler.ru"],
            UtcOffsetMinutes = 180,
        },
        new()
        {
            Country = "CN", CountryName = "中国", Language = "zh", Currency = "CNY", FxPerUnit = 7.8m, Weight = 3, NonLatin = true, FamilyFirst = true,
            Male = ["伟|Wei", "强|Qiang", "磊|Lei", "军|Jun", "洋|Yang", "勇|Yong", "杰|Jie"],
            Female = ["芳|Fang", "娜|Na", "敏|Min", "静|Jing", "丽|Li", "秀英|Xiuying", "婷|Ting"],
            Family = ["王|Wang", "李|Li", "张|Zhang", "刘|Liu", "陈|Chen", "杨|Yang", "赵|Zhao", "黄|Huang"],
            Streets = ["人民路", "解放路", "中山路", "建设路", "和平街"],
            Cities = ["北京", "上海", "广州", "深圳", "成都", "杭州"],
            PostcodePattern = "######", CallingCode = "86", NationalDigits = 11,
            PhonePatterns = ["### #### ####", "###-####-####", "###########", "+86 ### #### ####", "+86-###########"],
            MailDomains = ["qq.com", "163.com", "126.com", "sina.com", "gmail.com"],
            NumberFirst = false, UtcOffsetMinutes = 480,
        },
        new()
        {
            Country = "JP", CountryName = "日本", Language = "ja", Currency = "JPY", FxPerUnit = 160m, Weight = 2, NonLatin = true, FamilyFirst = true,
            Male = ["翔太|Shota", "大輔|Daisuke", "健太|Kenta", "拓也|Takuya", "蓮|Ren", "悠斗|Yuto"],
            Female = ["さくら|Sakura", "美咲|Misaki", "陽菜|Hina", "結衣|Yui", "愛|Ai", "花子|Hanako"],
            Family = ["佐藤|Sato", "鈴木|Suzuki", "高橋|Takahashi", "田中|Tanaka", "渡辺|Watanabe", "伊藤|Ito", "山本|Yamamoto"],
            Streets = ["千代田", "中央", "港南", "栄町", "本町"],
            Cities = ["東京都", "大阪市", "横浜市", "名古屋市", "札幌市", "京都市"],
            PostcodePattern = "###-####", CallingCode = "81", NationalDigits = 10,
            PhonePatterns = ["0#-####-####", "0##-###-####", "0#########", "+81 #-####-####", "+81-##-####-####"],
            MailDomains = ["yahoo.co.jp", "docomo.ne.jp", "gmail.com", "ezweb.ne.jp"],
            UtcOffsetMinutes = 540,
        },
        new()
        {
            Country = "GR", CountryName = "Ελλάδα", Language = "el", Currency = "EUR", FxPerUnit = 1m, Weight = 2, NonLatin = true,
            Male = ["Γιώργος|Giorgos", "Νίκος|Nikos", "Δημήτρης|Dimitris", "Κώστας|Kostas", "Γιάννης|Giannis"],
            Female = ["Μαρία|Maria", "Ελένη|Eleni", "Αικατερίνη|Aikaterini", "Σοφία|Sofia", "Δήμητρα|Dimitra"],
            Family = ["Παπαδόπουλος|Papadopoulos", "Βασιλείου|Vasileiou", "Νικολάου|Nikolaou", "Γεωργίου|Georgiou", "Οικονόμου|Oikonomou"],
            Streets = ["Οδός Ερμού", "Λεωφόρος Συγγρού", "Οδός Αθηνάς", "Οδός Πανεπιστημίου"],
            Cities = ["Αθήνα", "Θεσσαλονίκη", "Πάτρα", "Ηράκλειο"],
            PostcodePattern = "### ##", CallingCode = "30", NationalDigits = 10,
            PhonePatterns = ["### ### ####", "##########", "+30 ### ### ####", "+30 ##########"],
            MailDomains = ["gmail.com", "yahoo.gr", "otenet.gr", "hotmail.com"],
            UtcOffsetMinutes = 120, DstRule = "eu",
        },
    ];

    private static readonly int LatinTotal = Sum(Latin);
    private static readonly int NonLatinTotal = Sum(NonLatinCultures);

    public static Culture Pick(ref Prng rng, double nonLatinShare)
    {
        var set = rng.Chance(nonLatinShare) ? NonLatinCultures : Latin;
        var total = set == Latin ? LatinTotal : NonLatinTotal;
        var x = rng.Next(total);
        foreach (var c in set)
        {
            if (x < c.Weight)
            {
                return c;
            }

            x -= c.Weight;
        }

        return set[^1];
    }

    private static int Sum(Culture[] set)
    {
        var s = 0;
        foreach (var c in set)
        {
            s += c.Weight;
        }

        return s;
    }

    /// <summary>Nicknames and short forms people use for themselves.</summary>
    public static readonly Dictionary<string, string[]> Nicknames = new(StringComparer.Ordinal)
    {
        ["Robert"] = ["Bob", "Rob", "Bobby"], ["William"] = ["Bill", "Will", "Billy"], ["Richard"] = ["Rick", "Dick"],
        ["James"] = ["Jim", "Jimmy"], ["John"] = ["Johnny", "Jack"], ["Michael"] = ["Mike", "Mick"], ["Joseph"] = ["Joe"],
        ["Thomas"] = ["Tom", "Tommy"], ["Christopher"] = ["Chris"], ["Daniel"] = ["Dan", "Danny"], ["Matthew"] = ["Matt"],
        ["Anthony"] = ["Tony"], ["Andrew"] = ["Andy", "Drew"], ["David"] = ["Dave"], ["Edward"] = ["Ed", "Ted"],
        ["Alexander"] = ["Alex", "Sasha"], ["Charles"] = ["Charlie", "Chuck"], ["Elizabeth"] = ["Liz", "Beth", "Betty"],
        ["Margaret"] = ["Maggie", "Peggy"], ["Katherine"] = ["Kate", "Kathy"], ["Jennifer"] = ["Jen", "Jenny"],
        ["Patricia"] = ["Pat", "Patty"], ["Susan"] = ["Sue"], ["Victoria"] = ["Vicky"], ["Eleanor"] = ["Ellie"],
        ["Jessica"] = ["Jess"], ["Barbara"] = ["Barb"], ["Olivia"] = ["Liv"], ["Johannes"] = ["Hannes", "Hans"],
        ["Matthias"] = ["Matze"], ["Andreas"] = ["Andi"], ["Maximilian"] = ["Max"], ["Margarete"] = ["Grete", "Gretel"],
        ["Katharina"] = ["Kathi", "Katja"], ["Elisabeth"] = ["Lisa", "Sissi"], ["Susanne"] = ["Susi"], ["Stefan"] = ["Steffen"],
        ["Nicolas"] = ["Nico"], ["François"] = ["Franck"], ["Françoise"] = ["Fanfan"], ["Frédéric"] = ["Fred"],
        ["Francisco"] = ["Paco", "Curro"], ["José"] = ["Pepe"], ["Jesús"] = ["Chus"], ["Dolores"] = ["Lola"],
        ["Giuseppe"] = ["Beppe", "Peppe"], ["Giovanni"] = ["Gianni"], ["Francesco"] = ["Franco"], ["Alessandro"] = ["Sandro", "Ale"],
        ["Elisabetta"] = ["Betta"], ["Antônio"] = ["Toninho"], ["Sebastião"] = ["Tião"], ["Francisca"] = ["Chica"],
        ["Małgorzata"] = ["Gosia"], ["Katarzyna"] = ["Kasia"], ["Krzysztof"] = ["Krzysiek"], ["Łukasz"] = ["Łuki"],
        ["Александр|Aleksandr"] = ["Саша|Sasha"], ["Дмитрий|Dmitry"] = ["Дима|Dima"], ["Елена|Elena"] = ["Лена|Lena"],
        ["Наталья|Natalya"] = ["Наташа|Natasha"], ["Мария|Maria"] = ["Маша|Masha"], ["Γιώργος|Giorgos"] = ["Γιωργάκης|Giorgakis"],
        ["Pieter"] = ["Piet"], ["Johan"] = ["Jocke"],
    };
}
