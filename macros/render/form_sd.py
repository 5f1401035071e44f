"""The Form SD cover page, items, signature and exhibit index, from data/filings/YYYY.yaml."""
from __future__ import annotations

from markupsafe import Markup

from ..model import Filing
from ..narrative import longdate
from .html import paragraphs, text


def form_sd(filing: Filing) -> Markup:
    m = filing.meta
    reg, contact, period = m.registrant, m.contact, m.reporting_period
    ids = [
        (reg.state_of_incorporation, "State or other jurisdiction of incorporation"),
        (reg.commission_file_number, "Commission File Number"),
    ]
    if reg.irs_employer_id:
        ids.append((reg.irs_employer_id, "IRS Employer Identification No."))
    id_cells = "".join(f'<div><strong>{text(v)}</strong><span>({text(label)})</span></div>' for v, label in ids)
    rule = (f"{text(m.rule)} for the reporting period from {period.start:%B} {period.start.day} "
            f"to {longdate(period.end)}.")
    sections = "\n".join(
        f'<section class="cm-form-section"><h2>{text(s.heading)}</h2>\n'
        + "\n".join(f'<h3>{text(i.heading)}</h3>\n{paragraphs(i.text)}' for i in s.items)
        + "</section>"
        for s in m.form_sd_sections
    )
    exhibits = "".join(
        f'<tr><td>{text(e.number)}</td><td>{text(e.description)}</td></tr>' for e in m.exhibits
    )
    sig = m.signature
    return Markup(f"""<div class="cm-form-sd">
<div class="cm-cover">
<p class="cm-cover__agency">United States Securities and Exchange Commission<br>Washington, D.C. 20549</p>
<p class="cm-cover__form">Form {text(m.form)}<br><span>Specialized Disclosure Report</span></p>
<p class="cm-cover__name">{text(reg.name)}<br><span>(Exact name of registrant as specified in its charter)</span></p>
<div class="cm-cover__ids">{id_cells}</div>
<p>{text(reg.address)}<br><span class="cm-muted">(Address of principal executive offices) (Zip Code)</span></p>
<p>{text(contact.name)}, {text(contact.title)} {text(contact.phone)}<br><span class="cm-muted">(Name and telephone number, including area code, of the person to contact in connection with this report)</span></p>
<p class="cm-muted">Check the appropriate box to indicate the rule pursuant to which this form is being filed, and provide the period to which the information in this form applies:</p>
<p><span class="cm-check" aria-hidden="true">☒</span> {rule}</p>
</div>
{sections}
<section class="cm-signature"><h2>Signatures</h2>
<p>Pursuant to the requirements of the Securities Exchange Act of 1934, the registrant has duly caused this report to be signed on its behalf by the duly authorized undersigned.</p>
<dl>
<dt>Registrant</dt><dd>{text(sig.company)}</dd>
<dt>By</dt><dd>{text(sig.by)}</dd>
<dt>Name</dt><dd>{text(sig.name)}</dd>
<dt>Title</dt><dd>{text(sig.title)}</dd>
<dt>Date</dt><dd><time datetime="{sig.date.isoformat()}">{longdate(sig.date)}</time></dd>
</dl></section>
<section class="cm-exhibits"><h2>Exhibit index</h2>
<table><thead><tr><th scope="col">Exhibit No.</th><th scope="col">Description</th></tr></thead>
<tbody>{exhibits}</tbody></table></section>
</div>
""")
