namespace Crm.Synthetic;

/// <summary>The shop's products: SKU, description and list price in the base currency (EUR).</summary>
internal static class Catalog
{
    public readonly record struct Product(string Sku, string Description, string Slug, string Category, decimal Price);

    public static readonly Product[] Products = Build();

    private static Product[] Build()
    {
        (string Name, string Category, decimal Price)[] items =
        [
            ("Wireless Headphones", "electronics", 89.90m), ("USB-C Cable 2m", "electronics", 12.99m), ("Bluetooth Speaker", "electronics", 59.00m),
            ("Phone Case", "electronics", 19.90m), ("Power Bank 10000mAh", "electronics", 34.50m), ("Smart Watch Strap", "electronics", 24.00m),
            ("Desk Lamp LED", "home", 39.90m), ("Scented Candle", "home", 14.50m), ("Throw Blanket", "home", 49.00m), ("Picture Frame A4", "home", 17.90m),
            ("Running Shoes", "sports", 119.00m), ("Yoga Mat", "sports", 29.90m), ("Water Bottle 750ml", "sports", 18.50m), ("Resistance Bands Set", "sports", 22.00m),
            ("Winter Jacket", "fashion", 149.00m), ("Wool Scarf", "fashion", 35.00m), ("Leather Belt", "fashion", 45.00m), ("Cotton T-Shirt", "fashion", 19.99m),
            ("Coffee Grinder", "kitchen", 64.90m), ("Chef's Knife", "kitchen", 79.00m), ("Espresso Cups (4)", "kitchen", 24.90m), ("Café Crème Beans 1kg", "kitchen", 21.50m),
            ("Notebook A5 Dotted", "office", 9.90m), ("Fountain Pen", "office", 42.00m), ("Ergonomic Mouse", "office", 54.90m), ("Monitor Stand", "office", 69.00m),
            ("Backpack 25L", "outdoor", 79.90m), ("Camping Mug", "outdoor", 12.00m), ("Headlamp", "outdoor", 27.50m), ("Trekking Poles", "outdoor", 59.90m),
            ("Gift Card 25", "gifts", 25.00m), ("Gift Card 50", "gifts", 50.00m), ("Chocolate Box Crème Brûlée", "gifts", 16.90m), ("Jigsaw Puzzle 1000", "gifts", 21.00m),
        ];
        var products = new Product[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var slug = Slugify(items[i].Name);
            products[i] = new Product($"SKU-{10000 + i * 37}", items[i].Name, slug, items[i].Category, items[i].Price);
        }

        return products;
    }

    private static string Slugify(string s)
    {
        var chars = new List<char>(s.Length);
        foreach (var c in s.Normalize(System.Text.NormalizationForm.FormD).ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                chars.Add(c);
            }
            else if (c is ' ' or '-' && chars.Count > 0 && chars[^1] != '-')
            {
                chars.Add('-');
            }
        }

        return new string(chars.ToArray()).Trim('-');
    }
}
