import Foundation
import OrderedCollections
import StreamSQL

/// The product catalogue shared by the recommendation generator and `demos/products.csv`.
public enum ProductCatalog {
    public static let categories = ["electronics", "books", "clothing", "home", "sports", "beauty", "toys", "grocery"]
    static let basePrice: [Double] = [420, 18, 45, 90, 70, 30, 25, 12]

    public struct Product: Sendable {
        public let id: String
        public let name: String
        public let category: String
        public let price: Double
        public let popularity: Double
    }

    /// 200 products, derived from a fixed seed so the file and the generator agree.
    public static let products: [Product] = {
        var r = Rand(seed: 2024)
        return (1...200).map { i in
            let c = (i - 1) % categories.count
            let price = round(basePrice[c] * r.range(0.3, 2.6), 2)
            let name = "\(categories[c].capitalized) item \(i)"
            return Product(id: ident("P", i), name: name, category: categories[c], price: price,
                           popularity: round(r.range(0.2, 0.99), 2))
        }
    }()

    /// The products of each category (same order as `categories`).
    static let byCategory: [[Product]] = categories.map { c in products.filter { $0.category == c } }

    /// Pairs bought together: each product has two partners in its own or a neighbouring category.
    public static let coPurchase: [(String, String, Double)] = {
        var r = Rand(seed: 7)
        var out: [(String, String, Double)] = []
        for (i, p) in products.enumerated() {
            for k in 1...2 {
                var j = (i + 8 * (1 + r.int(5)) + (k == 2 ? 1 : 0)) % products.count
                if j == i { j = (j + 1) % products.count }
                out.append((p.id, products[j].id, round(r.range(0.4, 0.97), 2)))
            }
        }
        return out
    }()

    public static var productsCSV: String {
        "product_id,name,category,price,popularity\n" + products.map { "\($0.id),\($0.name),\($0.category),\($0.price),\($0.popularity)" }.joined(separator: "\n") + "\n"
    }

    public static var coPurchaseCSV: String {
        "product_id,related_id,confidence\n" + coPurchase.map { "\($0.0),\($0.1),\($0.2)" }.joined(separator: "\n") + "\n"
    }
}

/// `user_events`: shoppers with favourite categories and sessions; views lead to carts and purchases.
final class RecommendGenerator: ScenarioGenerator {
    struct User {
        var id: String
        var favourites: [Int]
        var session: Int
        var eventsLeft: Int
        var source: String
    }
    private var r: Rand
    private var clock: SimClock
    private var users: [User] = []
    private var active: [Int] = []
    private var sessionCounter = 0
    private let sources = ["search", "home", "ad", "email"]
    /// A `buying_spree` incident: its category and the events left.
    private var spree: (category: Int, left: Int)?

    func begin(_ incident: IncidentTrigger) -> Bool {
        guard incident.name == "buying_spree" else { return false }
        let c = incident.text("category").flatMap { ProductCatalog.categories.firstIndex(of: $0.lowercased()) } ?? 0
        spree = (c, incident.int("count", 150, in: 1...5000))
        return true
    }

    init(_ c: GeneratorConfig) {
        r = Rand(seed: c.seed)
        clock = SimClock(startMs: c.startMs ?? 0, stepMs: c.stepMs ?? 250)
        for i in 1...2000 {
            let a = r.int(8)
            var b = r.int(8)
            if b == a { b = (a + 1) % 8 }
            users.append(User(id: ident("U", i, width: 4), favourites: [a, b], session: 0, eventsLeft: 0, source: "home"))
        }
        active = (0..<60).map { _ in r.int(users.count) }
    }

    func next() -> GeneratedEvent {
        let t = clock.tick()
        let slot = r.int(active.count)
        var ui = active[slot]
        if users[ui].eventsLeft <= 0 {
            // The session ended: sometimes another shopper takes the slot.
            if r.chance(0.5) { ui = r.int(users.count); active[slot] = ui }
            sessionCounter += 1
            users[ui].session = sessionCounter
            users[ui].eventsLeft = 4 + r.int(16)
            users[ui].source = r.weighted([("search", 0.4), ("home", 0.3), ("ad", 0.2), ("email", 0.1)])
        }
        users[ui].eventsLeft -= 1
        let u = users[ui]
        var cat = r.chance(0.75) ? u.favourites[r.int(2)] : r.int(8)
        let inSpree = spree != nil
        if var s = spree {
            cat = s.category
            s.left -= 1
            spree = s.left > 0 ? s : nil
        }
        let p = r.pick(ProductCatalog.byCategory[cat])
        var action = r.weighted([("view_product", 0.6), ("search", 0.12), ("add_to_cart", 0.2), ("purchase", 0.08)])
        if inSpree { action = "purchase" }
        var f = OrderedDictionary<String, Value>()
        f["user_id"] = .string(u.id)
        f["action"] = .string(action)
        f["product_id"] = .string(p.id)
        f["category"] = .string(p.category)
        f["price"] = .double(p.price)
        f["timestamp"] = .string(SimClock.iso(t))
        f["session_id"] = .string(ident("S", u.session, width: 5))
        f["source"] = .string(u.source)
        return GeneratedEvent(stream: "user_events", fields: f, eventTimeMs: t)
    }
}

/// `inventory`: 50 products in 4 warehouses; stock runs down with sales and jumps on restock.
final class SupplyGenerator: ScenarioGenerator {
    struct Item {
        var product: Int
        var warehouse: Int
        var stock: Double
        var dailySales: Double
        var lastMs: Int64
    }
    private var r: Rand
    private var clock: SimClock
    private var items: [Item] = []
    private var leadTime: [Int] = []
    private var supplier: [Int] = []
    /// Products sold out by a `stockout` incident: no restock for them.
    private var soldOut: Set<Int> = []

    func begin(_ incident: IncidentTrigger) -> Bool {
        let product = incident.text("product").flatMap { Int($0.uppercased().drop { !$0.isNumber }) }.map { min(50, max(1, $0)) - 1 } ?? 0
        switch incident.name {
        case "stockout":
            soldOut.insert(product)
            for i in items.indices where items[i].product == product { items[i].stock = 0 }
        case "supplier_delay":
            let days = incident.int("days", 14, in: 1...60)
            for p in supplier.indices where supplier[p] == supplier[product] { leadTime[p] += days }
        default: return false
        }
        return true
    }

    init(_ c: GeneratorConfig) {
        r = Rand(seed: c.seed)
        clock = SimClock(startMs: c.startMs ?? 0, stepMs: c.stepMs ?? 60_000)
        for p in 0..<50 {
            leadTime.append(3 + r.int(10))
            supplier.append(1 + r.int(10))
            for w in 0..<4 {
                let sales = round(r.range(4, 40), 0)
                items.append(Item(product: p, warehouse: w, stock: round(sales * r.range(1, 25), 0), dailySales: sales, lastMs: clock.startMs))
            }
        }
    }

    func next() -> GeneratedEvent {
        let t = clock.tick()
        let i = r.int(items.count)
        var it = items[i]
        let days = Double(t - it.lastMs) / 86_400_000
        it.lastMs = t
        it.stock = max(0, it.stock - it.dailySales * days * r.range(0.6, 1.4))
        let lead = Double(leadTime[it.product])
        // Restock arrives sometimes once stock is below the lead-time demand.
        if it.stock < it.dailySales * lead && r.chance(0.08) && !soldOut.contains(it.product) {
            it.stock += (it.dailySales * (lead + 10 + r.range(0, 10))).rounded()
        }
        it.dailySales = max(1, round(it.dailySales * r.range(0.95, 1.05), 0))
        items[i] = it
        var f = OrderedDictionary<String, Value>()
        f["product_id"] = .string(ident("P", it.product + 1))
        f["warehouse_id"] = .string(ident("WH", it.warehouse + 1))
        f["current_stock"] = .int(Int64(it.stock.rounded()))
        f["daily_sales_avg"] = .int(Int64(it.dailySales))
        f["lead_time_days"] = .int(Int64(leadTime[it.product]))
        f["supplier_id"] = .string(ident("SUP", supplier[it.product]))
        f["timestamp"] = .string(SimClock.iso(t))
        return GeneratedEvent(stream: "inventory", fields: f, eventTimeMs: t)
    }
}

/// `transactions`: users with home cities, devices and spending habits; a small share of fraud
/// (new city, new device, bursts of large amounts) so that every decision occurs.
final class FraudGenerator: ScenarioGenerator {
    struct User {
        var id: String
        var home: Int
        var other: Int
        var device: String
        var mean: Double
    }
    static let cities = ["Tokyo", "Osaka", "Shanghai", "Beijing", "Singapore", "Seoul", "London", "Paris", "Berlin", "New York",
                         "Chicago", "San Francisco", "Sydney", "Toronto", "Madrid", "Rome", "Dubai", "Mumbai", "Sao Paulo", "Lagos"]
    static let merchants = ["Online Store", "Grocery Mart", "Coffee House", "Electronics Hub", "Travel Agency", "Fuel Station",
                            "Book Shop", "Fashion Outlet", "Pharmacy", "Restaurant"]
    private var r: Rand
    private var clock: SimClock
    private var users: [User] = []
    private var active: [Int] = []
    private var txn = 0
    private var devices = 0
    /// A fraud burst in progress: user, remaining transactions, its city and device.
    private var burst: (user: Int, left: Int, city: String, device: String)?
    /// A `burst` incident: each of its transactions from a new city and a new device.
    private var fresh = false

    func begin(_ incident: IncidentTrigger) -> Bool {
        guard incident.name == "burst" else { return false }
        var user = active[r.int(active.count)]
        if let id = incident.text("user"), let n = Int(id.uppercased().drop { !$0.isNumber }), (1...users.count).contains(n) { user = n - 1 }
        devices += 1
        burst = (user, incident.int("count", 8, in: 1...50), Self.cities[r.int(Self.cities.count)], ident("DEV", 50_000 + devices, width: 5))
        fresh = true
        return true
    }

    init(_ c: GeneratorConfig) {
        r = Rand(seed: c.seed)
        clock = SimClock(startMs: c.startMs ?? 0, stepMs: c.stepMs ?? 3000)
        for i in 1...5000 {
            devices += 1
            let home = r.int(Self.cities.count)
            users.append(User(id: ident("U", i, width: 4), home: home, other: (home + 1 + r.int(5)) % Self.cities.count,
                              device: ident("DEV", devices, width: 5), mean: exp(r.range(log(15), log(300)))))
        }
        active = (0..<120).map { _ in r.int(users.count) }
    }

    func next() -> GeneratedEvent {
        let t = clock.tick()
        txn += 1
        var userIndex: Int
        var city: String
        var device: String
        var amount: Double
        if var b = burst {
            userIndex = b.user
            city = b.city
            device = b.device
            amount = users[userIndex].mean * r.range(8, 25)
            if fresh {
                devices += 1
                b.city = Self.cities[(Self.cities.firstIndex(of: b.city).map { $0 + 1 + r.int(3) } ?? 0) % Self.cities.count]
                b.device = ident("DEV", 50_000 + devices, width: 5)
                city = b.city
                device = b.device
            }
            b.left -= 1
            burst = b.left > 0 ? b : nil
            if burst == nil { fresh = false }
        } else {
            let slot = r.int(active.count)
            if r.chance(0.02) { active[slot] = r.int(users.count) }
            userIndex = active[slot]
            let u = users[userIndex]
            city = Self.cities[r.chance(0.93) ? u.home : u.other]
            device = u.device
            amount = max(1, u.mean * exp(0.35 * r.normal()))
            if r.chance(0.01) {
                // Account takeover: a burst from a new city and device.
                devices += 1
                let c = Self.cities[r.int(Self.cities.count)]
                burst = (userIndex, 5 + r.int(4), c, ident("DEV", 50_000 + devices, width: 5))
                city = c
                device = burst!.device
                amount = u.mean * r.range(8, 25)
            } else if r.chance(0.01) {
                amount = u.mean * r.range(6, 12)          // one unusually large purchase
            } else if r.chance(0.01) {
                devices += 1
                device = ident("DEV", 50_000 + devices, width: 5)   // a new phone
                users[userIndex].device = device
            }
        }
        var f = OrderedDictionary<String, Value>()
        f["transaction_id"] = .string(ident("TXN", txn, width: 6))
        f["user_id"] = .string(users[userIndex].id)
        f["amount"] = .double(round(amount, 2))
        f["merchant"] = .string(r.pick(Self.merchants))
        f["location"] = .string(city)
        f["device_fingerprint"] = .string(device)
        f["timestamp"] = .string(SimClock.iso(t))
        return GeneratedEvent(stream: "transactions", fields: f, eventTimeMs: t)
    }
}
