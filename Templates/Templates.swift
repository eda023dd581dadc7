/// The text of every file and command phase0 generates, embedded from `Templates/*.tmpl`
/// at build time (see Sources/EmbedTemplatesPlugin). Steps/ renders them (EmbeddedTemplates.render).
public enum EmbeddedTemplates {
    /// The template text named `name` (file name without `.tmpl`), or nil if there is none.
    public static func text(_ name: String) -> String? { all[name] }
}
