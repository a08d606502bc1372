// The certificate register page: answers a number (from ?n= or typed) and checks a dropped PDF.
// Every value is shown with textContent: nothing from the register or the address is markup.
(function () {
  "use strict";
  var register = JSON.parse(document.getElementById("register-data").textContent);
  var box = document.getElementById("verify-number");
  var answer = document.getElementById("verify-answer");
  var fileBox = document.getElementById("verify-file");
  var fileAnswer = document.getElementById("verify-file-answer");

  function normalise(text) {
    return (text || "").trim().toUpperCase().replace(/[\u2010-\u2015\uFF0D]/g, "-");
  }

  function say(element, kind, text) {
    element.className = "verify-answer " + kind;
    element.textContent = text;
  }

  function check() {
    var number = normalise(box.value);
    if (!number) { say(answer, "", "请输入证书编号。"); return; }
    var found = register[number];
    if (!found) {
      say(answer, "bad", "未找到编号 " + number + " 的发布证书：不是本届签发的证书编号，请核对后向主办单位核实。");
    } else if (found.newer) {
      say(answer, "old", "已被替换：编号 " + number + "（" + found.unit + "，" + found.issued + "签发）已由新证书 " + found.newer + " 替换，请以新证书为准。");
    } else {
      say(answer, "ok", "真实有效：编号 " + number + " 是" + found.unit + "的发布证书，" + found.issued + "签发。");
    }
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function checkFile() {
    var file = fileBox.files && fileBox.files[0];
    if (!file) { say(fileAnswer, "", ""); return; }
    if (!(window.crypto && window.crypto.subtle)) {
      say(fileAnswer, "", "此浏览器无法在本地核对文件，请只核验编号。");
      return;
    }
    file.arrayBuffer().then(function (bytes) {
      return window.crypto.subtle.digest("SHA-256", bytes);
    }).then(function (digest) {
      var sha = hex(digest);
      var number = Object.keys(register).find(function (n) { return register[n].sha256 === sha; });
      if (!number) {
        say(fileAnswer, "bad", "文件与本届签发的任何证书都不一致（可能被修改过）。");
      } else {
        box.value = number;
        check();
        say(fileAnswer, "ok", "文件与签发的证书 " + number + " 完全一致。");
      }
    });
  }

  var given = new URLSearchParams(window.location.search).get("n");
  if (given) { box.value = given; }
  box.addEventListener("input", check);
  fileBox.addEventListener("change", checkFile);
  check();
})();
