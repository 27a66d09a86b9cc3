import MooringController

/// `mooring plan`'s two outputs: text for a terminal, a Markdown table for a PR comment.
enum PlanRendering {
    static func header(_ preview: PlanPreview) -> String {
        let target = "\(preview.commit.id.short) \"\(preview.commit.subject)\""
        guard let base = preview.base else { return "plan for \(target)" }
        return "plan for \(target) against \(base.id.short) \"\(base.subject)\""
    }

    static func summary(_ preview: PlanPreview) -> String {
        let changes = preview.steps.filter { $0.action.changesHost }.count
        return changes == 0 ? "nothing to do" : "\(changes) deployment\(changes == 1 ? "" : "s") would change"
    }

    static func text(_ preview: PlanPreview) -> String {
        var lines = [header(preview)]
        for step in preview.steps {
            switch step.action {
            case .create:
                lines.append("+ \(step.name): create (\(step.desired?.replicas ?? 0) replica\(step.desired?.replicas == 1 ? "" : "s"))")
            case let .update(changes):
                lines.append("~ \(step.name): update (rollout)")
                for change in changes { lines.append("    \(change)") }
            case let .scale(from, to, changes):
                lines.append("~ \(step.name): scale \(from) → \(to)")
                for change in changes where change.field != "replicas" { lines.append("    \(change)") }
            case .delete:
                lines.append("- \(step.name): delete")
            case .noop:
                lines.append("  \(step.name): no change")
            case let .quarantined(reason):
                lines.append("! \(step.name): quarantined, not retried (\(reason))")
            case .suspended:
                lines.append("  \(step.name): suspended")
            }
        }
        lines.append(summary(preview))
        return lines.joined(separator: "\n")
    }

    static func markdown(_ preview: PlanPreview) -> String {
        var lines = ["### Mooring plan", "", header(preview).replacingOccurrences(of: "plan for ", with: "For "), "",
                     "| deployment | change | details |", "|---|---|---|"]
        for step in preview.steps {
            let (change, details): (String, String)
            switch step.action {
            case .create:
                let spec = step.desired
                change = "create"
                details = ["replicas: \(spec?.replicas ?? 0)", spec?.model.map { "model: `\($0.uri)` version \($0.version.isEmpty ? "-" : $0.version)" }]
                    .compactMap { $0 }.joined(separator: "<br>")
            case let .update(changes):
                change = "update (rollout)"
                details = changes.map(cell).joined(separator: "<br>")
            case let .scale(from, to, changes):
                change = "scale \(from) → \(to)"
                details = changes.filter { $0.field != "replicas" }.map(cell).joined(separator: "<br>")
            case .delete:
                (change, details) = ("delete", "")
            case .noop:
                (change, details) = ("no change", "")
            case let .quarantined(reason):
                (change, details) = ("quarantined", escape(reason))
            case .suspended:
                (change, details) = ("suspended", "")
            }
            lines.append("| `\(step.name)` | \(change) | \(details) |")
        }
        lines += ["", "**\(summary(preview))**"]
        return lines.joined(separator: "\n")
    }

    private static func cell(_ change: FieldChange) -> String {
        "`\(change.field)`: \(escape(change.old ?? "<none>")) → \(escape(change.new ?? "<none>"))"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
