"""The console sweep: walk the demo organization as each of its six people, open every page of
the app (home, the lead list, a lead, duplicates, import, call lists, web forms, the pipeline board
and a potential, customers and an account, the product catalogue, every settings page), screenshot each, and report any 4xx/5xx response (Chromium's performance log) and any
console warning or error. Exits 1 when anything was found. Look at the screenshots too: a broken
layout logs nothing.

usage: pip install selenium; python3 tests/sweep/console_sweep.py http://127.0.0.1:8080 /tmp/sweep
(against `make run`, or `kith migrate && kith seed-demo && kith serve`; Debian chromium and
chromium-driver on PATH)
"""
import json, os, sys, time
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
USERS = ["admin", "maya", "liam", "sofia", "noah", "ines"]
PAGES = ["/", "/m/leads", "LEAD", "/m/pipeline", "POTENTIAL", "/m/customers", "ACCOUNT", "/catalog/products", "/m/leads/duplicates", "/m/leads/import", "/m/leads/calls", "/m/leads/forms",
         "/settings", "/settings/users", "/settings/teams", "/settings/roles", "/settings/api-keys",
         "/settings/email", "/settings/lead-scoring", "/settings/lead-assignment", "/settings/leads",
         "/settings/custom-fields", "/settings/inbound-email", "/settings/sequences", "/settings/tax-categories",
         "/settings/price-books", "/settings/audit",
         "/settings/recycle-bin"]

def driver():
    o = webdriver.ChromeOptions()
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--window-size=1280,900",
              f"--user-data-dir=/tmp/sweep-{os.getpid()}-{time.time()}"]:
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(options=o)

def statuses(d):
    out = []
    for e in d.get_log("performance"):
        m = json.loads(e["message"])["message"]
        if m["method"] == "Network.responseReceived":
            r = m["params"]["response"]
            if r["status"] >= 400:
                out.append(f'{r["status"]} {r["url"]}')
    return out

def console(d):
    return [f'{e["level"]} {e["message"][:300]}' for e in d.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]

report = {}
for user in USERS:
    d = driver()
    try:
        d.get(BASE + "/login")
        WebDriverWait(d, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[type=email]"))
        d.find_element(By.CSS_SELECTOR, "input[type=email]").send_keys(f"{user}@demo.kith.test")
        d.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys("kith-demo-2026")
        d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(d, 20).until(lambda d: "/login" not in d.current_url)
        time.sleep(1.5)
        found = []
        # The first record a list links to, for the record pages ("LEAD" after the lead list …).
        first = {}
        after = {"/m/leads": ("LEAD", "a[href^='/m/leads/0']"), "/m/pipeline": ("POTENTIAL", "a[href^='/m/pipeline/0']"),
                 "/m/customers": ("ACCOUNT", "a[href^='/m/customers/accounts/']")}
        for page in PAGES:
            if page in ("LEAD", "POTENTIAL", "ACCOUNT"):
                if not first.get(page):
                    continue
                page = first[page]
            d.get(BASE + page)
            time.sleep(2.0)
            if page in after:
                key, css = after[page]
                links = d.find_elements(By.CSS_SELECTOR, css)
                first[key] = links[0].get_attribute("href").replace(BASE, "") if links else None
            name = f"{user}{page.replace('/', '_') or '_home'}"[:80]
            d.save_screenshot(os.path.join(OUT, name + ".png"))
            text = d.execute_script("return document.body.innerText")[:200].replace("\n", " | ")
            bad = statuses(d) + console(d)
            found.append({"page": page, "head": text, "problems": bad})
        report[user] = found
    finally:
        d.quit()

for user, pages in report.items():
    print(f"== {user}")
    for p in pages:
        flag = "!!" if p["problems"] else "ok"
        print(f"  {flag} {p['page']:32} {p['head'][:90]}")
        for b in p["problems"]:
            print(f"       {b}")

sys.exit(1 if any(p["problems"] for pages in report.values() for p in pages) else 0)
