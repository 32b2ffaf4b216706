#!/usr/bin/env python3
"""Generate gateway/edi/schemas/x12/elements.json, the shared X12 data element dictionary.

The base data (element number, data type, minimum and maximum length, name) is derived from
pyx12's ``map/dataele.xml`` (pyx12 is BSD-licensed; https://github.com/azoner/pyx12).  That
file describes the elements used by the HIPAA 004010/005010 implementation guides, with
005010 lengths, so this script

* corrects the few names that pyx12 leaves as bare numbers (NAME_FIXES),
* applies the 004010 lengths where 004010 and 005010 differ (LENGTHS_004010) and writes the
  005010 values of those elements to ``x12/005010/elements.json`` (the per-version override
  file, see schemas/FORMAT.md),
* adds the 004010 elements that the supply-chain sets (850, 855, 856, 810, 997) use and that
  pyx12 does not list (SUPPLEMENT, transcribed from the 004010 element dictionary),
* writes the 005010 definition of elements that changed after 004010 (VARIANTS_005010).

Hand-maintained data survives a rerun: every ``codes`` list already present in the output
file is kept (code lists are curated by hand; see gateway/edi/schemas/FORMAT.md), and so is any
entry of the existing file that this script does not produce (an element added by hand).
Entries of ``x12/005010/elements.json`` that this script does not produce are kept likewise.

Usage:  python tools/gen_x12_elements.py [--dataele PATH] [--out PATH] [--check]
        --check exits 1 if the files on disk differ from what would be written.
"""

import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = os.path.join(ROOT, "gateway", "edi", "schemas", "x12")
OUT_SHARED = os.path.join(SCHEMAS, "elements.json")
OUT_5010 = os.path.join(SCHEMAS, "005010", "elements.json")

# pyx12 data_type -> our type (R1..R9 style precisions are all "R" here).
TYPES = {"AN": "AN", "ID": "ID", "DT": "DT", "TM": "TM", "B": "B", "R": "R"}

# Names pyx12 leaves as the element number.
NAME_FIXES = {
    "97": "Number of Transaction Sets Included",
    "124": "Application Receiver's Code",
    "621": "Implementation Data Element Syntax Error Code",  # pyx12 repeats 620's name
    "I01": "Authorization Information Qualifier",
    "I02": "Authorization Information",
    "I03": "Security Information Qualifier",
    "I04": "Security Information",
    "I05": "Interchange ID Qualifier",
    "I06": "Interchange Sender ID",
    "I07": "Interchange Receiver ID",
    "I08": "Interchange Date",
    "I09": "Interchange Time",
    "I10": "Interchange Control Standards Identifier",
    "I11": "Interchange Control Version Number",
    "I12": "Interchange Control Number",
    "I13": "Acknowledgment Requested",
    "I14": "Interchange Usage Indicator",
    "I15": "Component Element Separator",
    "I16": "Number of Included Functional Groups",
    "I17": "Interchange Acknowledgment Code",
    "I18": "Interchange Note Code",
    "I65": "Repetition Separator",
}

# (min, max) in 004010 where pyx12 (005010) differs.  The pyx12 value goes to 005010/.
LENGTHS_004010 = {
    "127": (1, 30),  # Reference Identification: 1/30 in 004010, 1/50 in 005010
    "364": (1, 80),  # Communication Number: 1/80 in 004010, 1/256 in 005010
}

# 004010 elements not in pyx12's dataele.xml: id -> (type, min, max, name).
SUPPLEMENT = {
    "3": ("AN", 1, 60, "Free Form Message"),
    "24": ("AN", 4, 4, "Equipment Type"),
    "40": ("ID", 2, 2, "Equipment Description Code"),
    "46": ("AN", 4, 4, "Ex Parte"),
    "54": ("ID", 2, 2, "Risk of Loss Code"),
    "55": ("AN", 2, 10, "Flight/Voyage Number"),
    "59": ("AN", 2, 5, "Freight Class Code"),
    "76": ("AN", 1, 22, "Invoice Number"),
    "79": ("AN", 1, 50, "Lading Description"),
    "80": ("N0", 1, 7, "Lading Quantity"),
    "87": ("AN", 1, 48, "Marks and Numbers"),
    "88": ("ID", 1, 2, "Marks and Numbers Qualifier"),
    "91": ("ID", 1, 2, "Transportation Method/Type Code"),
    "92": ("ID", 2, 2, "Purchase Order Type Code"),
    "113": ("AN", 1, 4, "Pier Number"),
    "114": ("AN", 2, 24, "Port Name"),
    "115": ("ID", 1, 1, "Port or Terminal Function Code"),
    "119": ("AN", 1, 6, "Rate Basis Number"),
    "133": ("ID", 1, 2, "Routing Sequence Code"),
    "140": ("ID", 2, 4, "Standard Carrier Alpha Code"),
    "146": ("ID", 2, 2, "Shipment Method of Payment"),
    "152": ("ID", 2, 3, "Special Handling Code"),
    "168": ("AN", 1, 4, "Tariff Agency Code"),
    "169": ("AN", 1, 16, "Tariff Item Number"),
    "170": ("N0", 1, 2, "Tariff Item Part"),
    "171": ("AN", 1, 7, "Tariff Number"),
    "172": ("AN", 1, 2, "Tariff Section"),
    "173": ("AN", 1, 4, "Tariff Supplement Identifier"),
    "174": ("AN", 2, 30, "Terminal Name"),
    "182": ("AN", 2, 28, "Vessel Name"),
    "187": ("ID", 1, 2, "Weight Qualifier"),
    "189": ("R", 1, 8, "Width"),
    "200": ("AN", 1, 6, "Hazardous Materials Page"),
    "206": ("AN", 1, 4, "Equipment Initial"),
    "207": ("AN", 1, 10, "Equipment Number"),
    "208": ("ID", 1, 1, "Hazardous Material Code Qualifier"),
    "209": ("AN", 1, 4, "Hazardous Material Class Code"),
    "213": ("N0", 1, 3, "Lading Line Item Number"),
    "215": ("AN", 1, 30, "Hazardous Classification"),
    "218": ("AN", 14, 40, "Hazardous Placard Notation"),
    "219": ("AN", 1, 3, "Position"),
    "222": ("AN", 4, 25, "Hazardous Endorsement"),
    "224": ("AN", 1, 25, "Hazardous Material Shipping Name"),
    "225": ("AN", 2, 15, "Seal Number"),
    "227": ("AN", 1, 2, "Tariff Column"),
    "230": ("AN", 1, 3, "Subsidiary Classification"),
    "238": ("AN", 1, 12, "Emergency Response Plan Number"),
    "249": ("ID", 1, 1, "Vessel Requirement Code"),
    "254": ("AN", 1, 3, "Packing Group Code"),
    "267": ("N0", 1, 6, "Net Explosive Quantity"),
    "271": ("ID", 1, 2, "Subsidiary Risk Indicator"),
    "277": ("AN", 6, 6, "UN/NA Identification Code"),
    "284": ("ID", 2, 2, "Service Level Code"),
    "294": ("N0", 1, 5, "Tariff Distance"),
    "295": ("ID", 1, 1, "Distance Qualifier"),
    "325": ("AN", 1, 20, "Tax Identification Number"),
    "326": ("AN", 1, 45, "Request Reference Number"),
    "327": ("AN", 1, 8, "Change Order Sequence Number"),
    "330": ("R", 1, 15, "Quantity Ordered"),
    "333": ("ID", 1, 2, "Terms Basis Date Code"),
    "334": ("ID", 2, 2, "Transportation Terms Qualifier Code"),
    "335": ("ID", 3, 3, "Transportation Terms Code"),
    "336": ("ID", 2, 2, "Terms Type Code"),
    "342": ("R", 1, 5, "Percent of Invoice Payable"),
    "344": ("ID", 2, 2, "Unit of Time Period Code"),
    "345": ("ID", 2, 2, "Lead Time Code"),
    "351": ("N0", 1, 3, "Terms Discount Days Due"),
    "356": ("N0", 1, 6, "Pack"),
    "357": ("R", 1, 8, "Size"),
    "362": ("N2", 1, 10, "Terms Discount Amount"),
    "368": ("ID", 2, 2, "Shipment/Order Status Code"),
    "369": ("AN", 1, 45, "Free-form Description"),
    "370": ("DT", 8, 8, "Terms Discount Due Date"),
    "371": ("ID", 2, 2, "Change Reason Code"),
    "382": ("R", 1, 10, "Number of Units Shipped"),
    "383": ("R", 1, 9, "Quantity Difference"),
    "384": ("R", 1, 9, "Gross Weight per Pack"),
    "385": ("R", 1, 9, "Gross Volume per Pack"),
    "386": ("N0", 1, 3, "Terms Net Days"),
    "387": ("AN", 1, 35, "Routing"),
    "388": ("DT", 8, 8, "Terms Deferred Due Date"),
    "389": ("N2", 1, 10, "Deferred Amount Due"),
    "395": ("R", 1, 8, "Unit Weight"),
    "396": ("AN", 2, 30, "Shipment Identification"),
    "399": ("ID", 1, 1, "Pallet Exchange Code"),
    "400": ("ID", 2, 2, "Unit Load Option Code"),
    "407": ("ID", 2, 2, "Seal Status Code"),
    "408": ("R", 1, 4, "Temperature"),
    "441": ("ID", 1, 1, "Tax Exempt Code"),
    "446": ("DT", 8, 8, "Terms Net Due Date"),
    "560": ("ID", 2, 10, "Special Services Code"),
    "563": ("ID", 1, 2, "Sales Requirement Code"),
    "566": ("ID", 1, 2, "Product/Service Substitution Code"),
    "587": ("ID", 2, 2, "Acknowledgment Type"),
    "595": ("ID", 1, 1, "Compartment ID Code"),
    "597": ("AN", 1, 8, "Vessel Code"),
    "622": ("N0", 1, 5, "Number of Loads"),
    "626": ("ID", 1, 2, "Excess Transportation Reason Code"),
    "627": ("ID", 1, 1, "Excess Transportation Responsibility Code"),
    "641": ("ID", 3, 3, "Status Reason Code"),
    "646": ("R", 1, 15, "Quantity Shipped to Date"),
    "653": ("ID", 3, 3, "Discount Terms Type Code"),
    "654": ("ID", 2, 2, "Discount Base Qualifier"),
    "655": ("R", 1, 10, "Discount Base Value"),
    "656": ("ID", 2, 3, "Discount Control Limit Qualifier"),
    "657": ("N0", 1, 10, "Discount Control Limit"),
    "665": ("ID", 1, 1, "Residue Indicator Code"),
    "668": ("ID", 2, 2, "Line Item Status Code"),
    "688": ("ID", 2, 2, "Restrictions/Conditions Qualifier"),
    "728": ("ID", 1, 2, "Returnable Container Load Make-Up Code"),
    "729": ("AN", 1, 6, "Category"),
    "731": ("ID", 2, 2, "Transit Direction Code"),
    "732": ("ID", 2, 2, "Transit Time Direction Qualifier"),
    "733": ("R", 1, 4, "Transit Time"),
    "743": ("ID", 1, 2, "Returnable Container Freight Payment Responsibility Code"),
    "753": ("ID", 1, 5, "Packaging Characteristic Code"),
    "759": ("ID", 2, 2, "Reportable Quantity Code"),
    "765": ("N0", 1, 2, "Day of Month"),
    "805": ("AN", 1, 25, "Canadian Hazardous Notation"),
    "806": ("AN", 4, 6, "EPA Waste Stream Number Code"),
    "807": ("AN", 12, 16, "Waste Characteristics Code"),
    "808": ("ID", 3, 3, "Hazardous Material Shipment Information Qualifier"),
    "809": ("AN", 1, 25, "Hazardous Material Shipment Information"),
    "810": ("N0", 1, 6, "Inner Pack"),
    "828": ("R", 1, 9, "Dollar Basis For Percent"),
    "854": ("ID", 2, 2, "Vessel Type Code"),
    "883": ("ID", 1, 2, "Pallet Type Code"),
    "884": ("N0", 1, 3, "Pallet Tiers"),
    "885": ("N0", 1, 3, "Pallet Blocks"),
    "897": ("ID", 1, 1, "Vessel Code Qualifier"),
    "951": ("ID", 1, 2, "Balance Type Code"),
    "955": ("ID", 2, 2, "Tax Jurisdiction Code Qualifier"),
    "956": ("AN", 1, 10, "Tax Jurisdiction Code"),
    "963": ("ID", 2, 2, "Tax Type Code"),
    "983": ("ID", 1, 1, "Hazardous Class Qualifier"),
    "984": ("ID", 1, 1, "Hazardous Material Shipping Name Qualifier"),
    "985": ("ID", 3, 3, "N.O.S. Indicator Code"),
    "986": ("ID", 1, 1, "Special Commodity Indicator Code"),
    "1000": ("AN", 2, 2, "Service Characteristics Qualifier"),
    "1019": ("ID", 3, 3, "Invoice Type Code"),
    "1023": ("ID", 1, 1, "Hazard Zone Code"),
    "1096": ("AN", 5, 5, "Address Component"),
    "1106": ("ID", 2, 2, "Address Component Qualifier"),
    "1179": ("ID", 1, 1, "Customs Entry Type Group Code"),
    "1195": ("AN", 1, 80, "Financial Information Code"),
    "1196": ("ID", 2, 2, "Breakdown Structure Detail Code"),
    "1232": ("ID", 2, 2, "Purchase Category"),
    "1309": ("ID", 2, 2, "Contract and Cost Accounting Standards Code"),
    "1310": ("ID", 1, 1, "Cost Accounting Standards Applicability Code"),
    "1375": ("AN", 1, 5, "Interim Hazardous Material Regulatory Number"),
    "1430": ("AN", 1, 7, "Day Rotation"),
    "1551": ("AN", 1, 760, "Textual Data"),
}


# 005010 values of elements whose 004010 definition (above) differs: id -> (type, min, max).
# Written, with the element's name, to x12/005010/elements.json.
VARIANTS_005010 = {
    "207": ("AN", 1, 15),  # Equipment Number: 1/10 in 004010
    "267": ("N0", 1, 10),  # Net Explosive Quantity: 1/6 in 004010
    "719": ("N0", 1, 10),  # Segment Position in Transaction Set: 1/6 in 004010
    "1000": ("ID", 2, 3),  # Service Characteristics Qualifier: AN 2/2 in 004010
    "1551": ("AN", 1, 4096),  # Textual Data: 1/760 in 004010
}


def find_dataele(path=None):
    if path:
        return path
    import pyx12  # imported only to locate its map directory

    return os.path.join(os.path.dirname(pyx12.__file__), "map", "dataele.xml")


def map_type(data_type):
    if data_type in TYPES:
        return TYPES[data_type]
    if data_type.startswith("R"):
        return "R"
    if len(data_type) == 2 and data_type[0] == "N" and data_type[1].isdigit():
        return data_type
    raise ValueError(f"unknown pyx12 data_type {data_type!r}")


def sort_key(ele_id):
    return (0, int(ele_id), "") if ele_id.isdigit() else (1, 0, ele_id)


def load(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    return {}


def dumps(entries):
    """One element per line: small diffs, still plain JSON."""
    keys = sorted(entries, key=sort_key)
    lines = ["{"]
    for n, k in enumerate(keys):
        comma = "," if n < len(keys) - 1 else ""
        lines.append(f"  {json.dumps(k)}: {json.dumps(entries[k], ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def build(dataele_path):
    shared, v5010 = {}, {}
    for node in ET.parse(dataele_path).getroot():
        a = node.attrib
        ele = a["ele_num"].strip()
        entry = {
            "name": NAME_FIXES.get(ele, a["name"].strip()),
            "type": map_type(a["data_type"].strip()),
            "min": int(a["min_len"]),
            "max": int(a["max_len"]),
        }
        if ele in LENGTHS_004010:
            v5010[ele] = dict(entry)
            entry["min"], entry["max"] = LENGTHS_004010[ele]
        shared[ele] = entry
    for ele, (typ, mn, mx, name) in SUPPLEMENT.items():
        if ele in shared:
            raise SystemExit(f"SUPPLEMENT entry {ele} is also in pyx12; drop it")
        shared[ele] = {"name": name, "type": typ, "min": mn, "max": mx}
    for ele, (typ, mn, mx) in VARIANTS_005010.items():
        v5010[ele] = {"name": shared[ele]["name"], "type": typ, "min": mn, "max": mx}
    return shared, v5010


def merge(generated, existing):
    out = dict(generated)
    for ele, old in existing.items():
        if ele not in out:
            out[ele] = old  # hand-added element
        elif "codes" in old:
            out[ele] = dict(out[ele], codes=old["codes"])
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataele", help="path to pyx12 map/dataele.xml (default: installed pyx12)")
    ap.add_argument("--out", default=OUT_SHARED)
    ap.add_argument("--out-5010", default=OUT_5010)
    ap.add_argument("--check", action="store_true", help="only report whether files are up to date")
    args = ap.parse_args(argv)

    shared, v5010 = build(find_dataele(args.dataele))
    results = [(args.out, merge(shared, load(args.out))), (args.out_5010, merge(v5010, load(args.out_5010)))]
    stale = False
    for path, entries in results:
        text = dumps(entries)
        current = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                current = f.read()
        if current == text:
            continue
        stale = True
        if not args.check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"wrote {os.path.relpath(path, ROOT)} ({len(entries)} elements)")
    if args.check and stale:
        print("x12 element dictionaries are out of date; run python tools/gen_x12_elements.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
