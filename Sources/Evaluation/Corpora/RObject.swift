/// An R object as `RUnserializer` produces it: its payload plus its attributes (names, class,
/// dim …), in serialized order.
struct RObject: Sendable {
    enum Payload: Sendable {
        case null
        /// LGLSXP: 0 = FALSE, 1 = TRUE, Int32.min = NA.
        case logical([Int32])
        /// INTSXP: Int32.min = NA.
        case integer([Int32])
        case real([Double])
        /// CPLXSXP as (real, imaginary) pairs.
        case complex([Double])
        /// STRSXP: nil = NA_character_.
        case string([String?])
        case raw([UInt8])
        /// VECSXP and EXPRSXP.
        case list([RObject])
        /// LISTSXP, LANGSXP, CLOSXP, PROMSXP, DOTSXP.
        case pairlist([RTaggedValue])
        case symbol(String)
        /// An environment; its contents are read (to keep the stream in step) but not kept.
        case environment
        /// Singletons and by-name objects: "NULL value", "global environment", "namespace:stats" …
        case special(String)
    }

    var type: Int
    var payload: Payload
    var attributes: [RTaggedValue] = []

    /// The attribute `name`, if present.
    func attribute(_ name: String) -> RObject? {
        attributes.first { $0.tag == name }?.value
    }

    /// The `names` attribute as strings (NA names become nil).
    var names: [String?]? {
        if case .string(let names)? = attribute("names")?.payload { return names }
        return nil
    }

    /// The element called `name` of a named list.
    func element(_ name: String) -> RObject? {
        guard case .list(let items) = payload, let names, names.count == items.count,
              let index = names.firstIndex(of: name) else { return nil }
        return items[index]
    }

    /// The numeric contents of an integer, double or logical vector as Doubles (NA → nil).
    var numbers: [Double?]? {
        switch payload {
        case .integer(let values), .logical(let values):
            return values.map { $0 == Int32.min ? nil : Double($0) }
        case .real(let values):
            return values.map { $0.isNaN ? nil : $0 }
        default:
            return nil
        }
    }
}

/// One cell of a pairlist or attribute list: an optional tag (symbol name) and a value.
struct RTaggedValue: Sendable {
    var tag: String?
    var value: RObject
}
